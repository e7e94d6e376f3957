package lnm.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.util.List;
import java.nio.file.Path;

import lnm.audit.Reason;
import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.Enforcement;
import lnm.config.IpLiteral;
import lnm.config.ListenerSpec;
import lnm.config.LoadResult;
import lnm.config.Mode;
import lnm.config.Policy;
import lnm.config.Problem;
import lnm.fleet.BundleStore;

/**
 * {@code lnm explain}: the decision lnm would make for one name, with the rule that matched
 * and where the connection would go. Exit 0 when allowed, 1 when denied, 2 on bad input.
 */
final class ExplainCommand {
    private ExplainCommand() {}

    static int explain(PrintStream out, Path file, String name, Integer port, String source) {
        LoadResult r = BundleStore.load(file);
        if (!r.ok()) {
            for (Problem p : r.problems()) {
                out.println(p);
            }
            return 2;
        }
        Config c = r.config();
        int p = port != null ? port : c.listeners().stream().filter(l -> l.mode() == Mode.TLS)
                .mapToInt(l -> l.bind().getPort()).findFirst().orElse(443);
        InetAddress src = null;
        if (source != null) {
            src = IpLiteral.address(source);
            if (src == null) {
                out.println("lnm: --source needs an IP address, got '" + source + "'");
                return 2;
            }
        }
        boolean sourceChecked = src != null || c.sources().isAny();
        Enforcement policy = c.listeners().stream().filter(l -> l.bind().getPort() == p && l.mode() != Mode.TCP)
                .map(ListenerSpec::policy).findFirst().orElse(c.policy());
        Decision d = Policy.decide(c, policy, name, p, src != null ? src : anyAllowedSource(c));
        out.println("name:        " + name);
        out.println("port:        " + p + listenerNote(c, p));
        out.println("source:      " + (src != null ? IpLiteral.format(src) : sourceChecked ? "any" : "not checked (pass --source IP)")
                + " (sources = " + c.sources() + ")");
        if (d.rule() != null) {
            out.println("rule:        " + d.rule().pattern() + " (" + d.rule().file().getFileName() + ":" + d.rule().line() + ")");
        } else {
            out.println("rule:        none");
        }
        Reason why = Reason.of(d.reason());
        String reason = d.wouldDeny() != null
                ? why.text() + "; report mode: enforcement would deny it as " + Reason.of(d.wouldDeny()).text()
                : d.allowed() ? why.text() + d.rule().pattern() : why.text();
        out.println("decision:    " + (d.allowed() ? "allow" : "deny") + " (" + reason + ")");
        if (d.allowed()) {
            out.println("destination: " + d.via().name().toLowerCase(java.util.Locale.ROOT) + " -> " + d.upstream()
                    + (c.parentProxyProtocol() && d.via() == lnm.config.Via.PARENT ? " (with PROXY protocol v2)" : ""));
            if (d.via() == lnm.config.Via.PARENT && c.parents().size() > 1) {
                out.println("order:       " + parentOrder(c, p));
            }
            if (d.via() == lnm.config.Via.DIRECT && !c.egressProxies().isEmpty()) {
                out.println("through:     " + egress(c, d.upstream().withDefaultPort(p)));
            }
        }
        return d.allowed() ? 0 : 1;
    }

    /** How a direct destination leaves with {@code egress.proxy} set: through the proxies, or bypassing them. */
    static String egress(Config c, lnm.config.HostPort target) {
        if (c.egressBypass().bypasses(target.host())) {
            return "direct, not the egress proxy (egress.proxy.bypass = " + c.egressBypass() + "); lnm resolves the name";
        }
        List<String> ps = c.egressProxies().stream().map(lnm.config.HostPort::toString).toList();
        return "proxy " + String.join(", ", ps) + (ps.size() > 1 ? " (failover)" : "") + ": CONNECT " + target
                + (c.egressCredentials().isSet() ? " with Basic credentials" : "") + "; the proxy resolves the name";
    }

    /** How connections spread over several parents, each with the port it would be reached on. */
    static String parentOrder(Config c, int port) {
        List<String> ps = c.parents().stream().map(h -> h.withDefaultPort(port).toString()).toList();
        if (c.parentBalance() == lnm.config.ParentList.Balance.ROUND_ROBIN) {
            return "round-robin over " + String.join(", ", ps)
                    + " (each connection starts at the next one up; one marked down is tried last)";
        }
        return "failover: " + String.join(", then ", ps) + " (the first one up; one marked down is tried last)";
    }

    /** When no source is given, explain the name as if it came from an allowed address. */
    private static InetAddress anyAllowedSource(Config c) {
        for (String cidr : c.sources().entries()) {
            InetAddress a = IpLiteral.address(cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr);
            if (a != null) {
                return a;
            }
        }
        return InetAddress.getLoopbackAddress();
    }

    private static String listenerNote(Config c, int port) {
        for (ListenerSpec l : c.listeners()) {
            if (l.bind().getPort() == port) {
                return " (listener " + l.name() + ")";
            }
        }
        return "";
    }
}
