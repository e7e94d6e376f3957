package lnm.importer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import lnm.config.CidrSet;

/**
 * Reads an {@code Lnm} resource ({@code layerednetworkmgmt.iotoperations.azure.com/v1beta1}) or
 * an {@code E4in} ({@code az-edge.com/v1}, the first previews) from its parsed tree. A
 * {@code kubectl get -o json} list of exactly one item is read as that item. Wrong types and
 * values are errors at their line; fields lnm has no use for are warnings that say what to do
 * instead; nothing is dropped silently. Every scalar the reader uses passes {@link SafeText#field}
 * first: a control or separator character in it, or an overlong one, is an error at its line.
 */
final class LnmReader {
    static final String API_V1BETA1 = "layerednetworkmgmt.iotoperations.azure.com/v1beta1";
    static final String API_E4IN = "az-edge.com/v1";

    private final List<LnmResource.Warning> warnings = new ArrayList<>();

    private LnmReader() {}

    static LnmResource read(Node root) throws ParseException {
        return new LnmReader().resource(root);
    }

    private LnmResource resource(Node root) throws ParseException {
        Map<String, Node> top = map(root, "the resource");
        if ("List".equals(text(top.get("kind"), "kind")) && top.get("items") != null) {
            List<Node> items = list(top.get("items"), "items");
            if (items.size() != 1) {
                throw new ParseException(top.get("items").line(), "a list of " + items.size()
                        + " resources: import one at a time (kubectl get lnm NAME -o json)");
            }
            top = map(items.get(0), "items[0]");
        }
        String api = text(top.get("apiVersion"), "apiVersion");
        String kind = text(top.get("kind"), "kind");
        int line = top.get("apiVersion") != null ? top.get("apiVersion").line() : root.line();
        if (!(API_V1BETA1.equals(api) && "Lnm".equals(kind)) && !(API_E4IN.equals(api) && "E4in".equals(kind))) {
            throw new ParseException(line, "not an Lnm resource: apiVersion '" + api + "', kind '" + kind
                    + "' (expected " + API_V1BETA1 + " kind Lnm, or " + API_E4IN + " kind E4in)");
        }
        Map<String, Node> meta = top.containsKey("metadata") ? map(top.get("metadata"), "metadata") : Map.of();
        String name = text(meta.get("name"), "metadata.name");
        String ns = text(meta.get("namespace"), "metadata.namespace");
        String origin = (ns != null ? ns + "/" : "") + (name != null ? name : "(no name)") + " (" + api + ", kind " + kind + ")";
        if (top.get("spec") == null) {
            throw new ParseException(root.line(), "the resource has no spec");
        }
        return spec(origin, map(top.get("spec"), "spec"));
    }

    private LnmResource spec(String origin, Map<String, Node> spec) throws ParseException {
        Integer level = null;
        Integer port = null;
        String parentHost = null;
        Integer parentPort = null;
        Node parentPortNode = null;
        boolean arc = false;
        List<LnmResource.Domain> domains = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Map.Entry<String, Node> e : spec.entrySet()) {
            Node v = e.getValue();
            String f = "spec." + e.getKey();
            switch (e.getKey()) {
                case "level" -> level = v.isNull() ? null : integer(v, f, 0, 5);
                case "port" -> port = v.isNull() ? null : integer(v, f, 1, 65535);
                case "parentIpAddr" -> parentHost = v.isNull() ? null : host(v, f);
                case "parentPort" -> {
                    parentPort = v.isNull() ? null : integer(v, f, 1, 65535);
                    parentPortNode = v;
                }
                case "logLevel" -> {
                    String lv = v.isNull() ? "info" : text(v, f);
                    if (!"info".equalsIgnoreCase(lv)) {
                        warn(v, f + " '" + lv + "': lnm has no log levels; it logs start-up, reloads and problems"
                                + " to stderr and one audit record per connection (allowed or denied, with its reason);"
                                + " `lnm explain --config lnm.properties NAME` shows how one name is decided");
                    }
                }
                case "image" -> warn(v, f + ": lnm runs from its own image (`make container` builds localhost/lnm:<version>);"
                        + " set it as the container image in deploy/kubernetes/deployment.yaml");
                case "replicas" -> warn(v, f + ": set the Deployment's replicas (deploy/kubernetes/deployment.yaml has 2)"
                        + " or `kubectl scale deployment/lnm --replicas=N`");
                case "nodeTolerations" -> warn(v, f + ": put the tolerations under spec.template.spec.tolerations"
                        + " of deploy/kubernetes/deployment.yaml");
                case "openTelemetryMetricsCollectorAddr" -> warn(v, f + ": lnm does not push metrics; it serves"
                        + " Prometheus text on /metrics at admin.listen (port 9090 in the pods); have the collector"
                        + " scrape it (OpenTelemetry prometheus receiver)");
                case "endpointType" -> warn(v, f + ": lnm has no counterpart; the listeners are listen.* in lnm.properties");
                case "allowList" -> {
                    if (v.isNull()) {
                        break;
                    }
                    Map<String, Node> al = map(v, f);
                    for (Map.Entry<String, Node> a : al.entrySet()) {
                        Node av = a.getValue();
                        String af = f + "." + a.getKey();
                        switch (a.getKey()) {
                            case "enableArcDomains" -> arc = !av.isNull() && bool(av, af);
                            case "domains" -> domains(av, af, domains);
                            case "sourceIpRange" -> sources(av, af, sources);
                            default -> warn(av, af + ": not a field lnm knows; ignored");
                        }
                    }
                }
                default -> warn(v, f + ": not a field lnm knows; ignored");
            }
        }
        String parent = null;
        if (parentHost != null) {
            parent = (parentHost.contains(":") ? "[" + parentHost + "]" : parentHost) + ":" + (parentPort != null ? parentPort : 443);
        } else if (parentPortNode != null && parentPort != null) {
            warn(parentPortNode, "spec.parentPort without spec.parentIpAddr: ignored (this is the top level)");
        }
        if (level == null) {
            warnings.add(new LnmResource.Warning(0, "spec.level is not set: lnm.properties gets no level, so lnm's"
                    + " default level 4 applies; set level if this box sits lower"));
        }
        return new LnmResource(origin, level, port, parent, arc, domains, sources, warnings);
    }

    private void domains(Node v, String f, List<LnmResource.Domain> out) throws ParseException {
        if (v.isNull()) {
            return;
        }
        List<Node> items = list(v, f);
        for (int i = 0; i < items.size(); i++) {
            String fi = f + "[" + i + "]";
            Map<String, Node> d = map(items.get(i), fi);
            Node url = d.get("destinationUrl");
            if (url == null || url.isNull()) {
                throw new ParseException(items.get(i).line(), fi + " has no destinationUrl");
            }
            String pattern = pattern(url, fi + ".destinationUrl");
            Node type = d.get("destinationType");
            boolean internal = false;
            if (type == null || type.isNull()) {
                warn(items.get(i), fi + " has no destinationType: read as external");
            } else {
                String written = text(type, fi + ".destinationType");
                String t = written.toLowerCase(Locale.ROOT);
                if (!t.equals("external") && !t.equals("internal")) {
                    throw new ParseException(type.line(), fi + ".destinationType must be external or internal, got '" + written + "'");
                }
                internal = t.equals("internal");
            }
            for (String k : d.keySet()) {
                if (!k.equals("destinationUrl") && !k.equals("destinationType")) {
                    warn(d.get(k), fi + "." + k + ": not a field lnm knows; ignored");
                }
            }
            out.add(new LnmResource.Domain(pattern, internal, url.line()));
        }
    }

    /** A destinationUrl as an allowlist pattern: a scheme, path or port around the name is dropped, with a warning. */
    private String pattern(Node v, String f) throws ParseException {
        String written = text(v, f);
        String s = written.strip().toLowerCase(Locale.ROOT);
        String name = s.replaceFirst("^[a-z][a-z0-9+.-]*://", "");
        int slash = name.indexOf('/');
        if (slash >= 0) {
            name = name.substring(0, slash);
        }
        if (name.matches(".*:[0-9]+")) {
            name = name.substring(0, name.lastIndexOf(':'));
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!name.matches("(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")) {
            throw new ParseException(v.line(), f + " '" + written + "' is not a host name or a *.domain pattern");
        }
        if (!name.equals(s)) {
            warn(v, f + " '" + written + "' is read as '" + name + "' (lnm decides on the name; scheme, path and port do not matter)");
        }
        return name;
    }

    private void sources(Node v, String f, List<String> out) throws ParseException {
        if (v.isNull()) {
            return;
        }
        List<Node> items = list(v, f);
        for (int i = 0; i < items.size(); i++) {
            String fi = f + "[" + i + "]";
            Map<String, Node> r = map(items.get(i), fi);
            Node prefix = r.get("addressPrefix");
            if (prefix == null || prefix.isNull()) {
                throw new ParseException(items.get(i).line(), fi + " has no addressPrefix");
            }
            String ip = text(prefix, fi + ".addressPrefix").strip();
            if (!ip.matches("[0-9A-Fa-f.:]+")) {
                throw new ParseException(prefix.line(), fi + ".addressPrefix '" + ip + "' is not one IPv4 or IPv6 address"
                        + " (the length goes in prefixLen)");
            }
            int max = ip.contains(":") ? 128 : 32;
            Node len = r.get("prefixLen");
            int bits = len == null || len.isNull() ? max : integer(len, fi + ".prefixLen", 0, max);
            String cidr = ip + "/" + bits;
            try {
                CidrSet.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new ParseException(prefix.line(), fi + " '" + cidr + "' is not an address range: " + e.getMessage());
            }
            out.add(cidr);
        }
    }

    private void warn(Node at, String message) {
        warnings.add(new LnmResource.Warning(at.line(), message));
    }

    /** A scalar the reader uses (null when absent or empty), checked by {@link SafeText#field}. */
    private static String text(Node n, String what) throws ParseException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.scalar() == null) {
            throw new ParseException(n.line(), what + " must be a scalar, is " + n.kind());
        }
        return SafeText.field(n.scalar(), what, n.line());
    }

    /** The node's scalar, checked by {@link SafeText#field}, or null when it is no scalar. */
    private static String checked(Node n, String what) throws ParseException {
        return n.scalar() == null ? null : SafeText.field(n.scalar(), what, n.line());
    }

    private static Map<String, Node> map(Node n, String what) throws ParseException {
        if (n == null || n.map() == null) {
            throw new ParseException(n == null ? 0 : n.line(), what + " must be a map, is " + (n == null ? "missing" : n.kind()));
        }
        return n.map();
    }

    private static List<Node> list(Node n, String what) throws ParseException {
        if (n.list() == null) {
            throw new ParseException(n.line(), what + " must be a list, is " + n.kind());
        }
        return n.list();
    }

    private static int integer(Node n, String what, int min, int max) throws ParseException {
        String s = checked(n, what);
        try {
            int v = Integer.parseInt(s == null ? "" : s.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ParseException(n.line(), what + " must be an integer from " + min + " to " + max + ", got "
                + (s == null ? n.kind() : "'" + s + "'"));
    }

    private static boolean bool(Node n, String what) throws ParseException {
        String s = checked(n, what);
        if ("true".equalsIgnoreCase(s) || "false".equalsIgnoreCase(s)) {
            return Boolean.parseBoolean(s);
        }
        throw new ParseException(n.line(), what + " must be true or false, got " + (s == null ? n.kind() : "'" + s + "'"));
    }

    private static String host(Node n, String what) throws ParseException {
        String s = checked(n, what);
        if (s == null || !s.strip().matches("[A-Za-z0-9.:_-]+")) {
            throw new ParseException(n.line(), what + " must be an address or host name, got " + (s == null ? n.kind() : "'" + s + "'"));
        }
        return s.strip();
    }
}
