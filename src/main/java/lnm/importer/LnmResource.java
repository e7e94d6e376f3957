package lnm.importer;

import java.util.List;

/**
 * What lnm takes from an Azure IoT Layered Network Management {@code Lnm} resource (or the
 * older {@code E4in}), and what it says about the rest.
 *
 * @param origin     "namespace/name (apiVersion, kind)" for the header of the files written
 * @param level      spec.level, or null when not set
 * @param port       spec.port, or null when not set
 * @param parent     spec.parentIpAddr[:spec.parentPort], or null at the top level
 * @param arcDomains spec.allowList.enableArcDomains
 * @param domains    spec.allowList.domains in file order
 * @param sources    spec.allowList.sourceIpRange as CIDRs; empty when not set
 * @param warnings   fields with no lnm meaning, each with what to do instead
 */
record LnmResource(String origin, Integer level, Integer port, String parent, boolean arcDomains,
        List<Domain> domains, List<String> sources, List<Warning> warnings) {

    /** One allowlisted destination: a name or *.domain pattern, internal or external. */
    record Domain(String pattern, boolean internal, int line) {}

    /** Something in the resource lnm does not do, at its line. */
    record Warning(int line, String message) {}

    LnmResource {
        domains = List.copyOf(domains);
        sources = List.copyOf(sources);
        warnings = List.copyOf(warnings);
    }

    boolean topLevel() {
        return parent == null;
    }
}
