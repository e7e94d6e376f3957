package lnm.probe;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import lnm.audit.Reason;
import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.Enforcement;
import lnm.config.HostPort;
import lnm.config.IpLiteral;
import lnm.config.ListenerSpec;
import lnm.config.Mode;
import lnm.config.Policy;
import lnm.config.Rule;

/**
 * Which names a probe run tries and how each leaves this box, decided by the box's own
 * {@link Policy}, the decision a device's hello on {@code port} gets here. In allowlist order:
 * each exact name; each wildcard that no name given matches, as a line that needs a sample name;
 * then the names given, in their order, that are not exact names of the allowlist. A name this
 * box refuses is a failed line at {@link Step#POLICY} and is not dialled.
 */
public final class Plan {
    private Plan() {}

    /**
     * @param names names given on the command line (samples for wildcards, or names to check
     *     before they are allowlisted); matched case-insensitively, one trailing dot ignored
     * @param proxies the egress proxies, see {@link Route#egressProxies}
     */
    public static List<Target> of(Config c, List<String> names, int port, List<HostPort> proxies) {
        Set<String> given = new LinkedHashSet<>();
        for (String n : names) {
            given.add(normal(n));
        }
        Set<String> exact = new LinkedHashSet<>();
        List<Target> out = new ArrayList<>();
        for (Rule r : c.allowlist().rules()) {
            if (r.wildcard()) {
                boolean sampled = given.stream().anyMatch(g -> c.allowlist().match(g).map(m -> m.equals(r)).orElse(false));
                if (!sampled) {
                    out.add(new Target(r.pattern(), null, new Outcome(r.pattern(), "-", Outcome.Result.SKIPPED, Step.POLICY, 0,
                            "needs a sample name: lnm probe --config FILE NAME", null)));
                }
            } else if (exact.add(normal(r.pattern()))) {
                out.add(target(c, normal(r.pattern()), port, proxies));
            }
        }
        for (String g : given) {
            if (!exact.contains(g)) {
                out.add(target(c, g, port, proxies));
            }
        }
        return out;
    }

    private static Target target(Config c, String name, int port, List<HostPort> proxies) {
        Decision d = Policy.decide(c, enforcement(c, port), name, port, anAllowedSource(c));
        if (!d.allowed()) {
            return new Target(name, null, new Outcome(name, "-", Outcome.Result.FAILED, Step.POLICY, 0,
                    "refused here (" + Reason.of(d.reason()).text() + ")", null));
        }
        return new Target(name, Route.of(d, c, port, proxies), null);
    }

    /** The policy of the listener a device would reach on {@code port}, else the box's. */
    private static Enforcement enforcement(Config c, int port) {
        return c.listeners().stream().filter(l -> l.bind().getPort() == port && l.mode() != Mode.TCP)
                .map(ListenerSpec::policy).findFirst().orElse(c.policy());
    }

    /** A source the box accepts, so that the decision is about the name, as for a device. */
    private static InetAddress anAllowedSource(Config c) {
        for (String cidr : c.sources().entries()) {
            InetAddress a = IpLiteral.address(cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr);
            if (a != null) {
                return a;
            }
        }
        return InetAddress.getLoopbackAddress();
    }

    private static String normal(String n) {
        String s = n.toLowerCase(Locale.ROOT);
        return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }
}
