package lnm.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Settings that are legal but dangerous. Each warning is a {@link Problem} whose message starts
 * with {@code warning: }, so it prints as {@code FILE:LINE: warning: ...}; {@code lnm check}
 * prints them and still exits 0 ({@code --strict}: 1), {@code lnm run} logs them at start and on
 * reload. A new warning is one more method called from {@link #check}.
 */
public final class Warnings {
    private Warnings() {}

    /**
     * The warnings for a loaded config.
     *
     * @param lineOf the line of a key as written in lnm.properties ({@code sources},
     *     {@code listen.https.acceptProxyProtocol}), 0 if unset
     */
    static List<Problem> check(Config c, ToIntFunction<String> lineOf) {
        List<Problem> out = new ArrayList<>();
        wildcards(c, out);
        openListeners(c, lineOf, out);
        proxyProtocolRanges(c, lineOf, out);
        dnsUpstreamWithoutZones(c, lineOf, out);
        reportMode(c, lineOf, out);
        if (!c.namedInterfaces().isEmpty()) { // lists this box's interfaces only when the config names one
            missingInterfaces(c, lineOf, out, InterfaceAddresses.names());
        }
        out.sort(Comparator.comparing((Problem p) -> p.file().toString()).thenComparingInt(Problem::line));
        return out;
    }

    private static Problem at(java.nio.file.Path file, int line, String message) {
        return new Problem(file, line, "warning: " + message);
    }

    /**
     * Wildcards that let a device reach names anyone can create: at a public suffix
     * ({@code *.com}, {@code *.co.uk}) or over a cloud tenant namespace
     * ({@code *.blob.core.windows.net}). A fixed target is not such a path: the name does not
     * choose where the connection goes.
     */
    private static void wildcards(Config c, List<Problem> out) {
        for (Rule r : c.allowlist().rules()) {
            if (!r.wildcard() || r.destination() instanceof Destination.Fixed) {
                continue;
            }
            String w = wildcardRisk(r.pattern());
            if (w != null) {
                out.add(at(r.file(), r.line(), w));
            }
        }
    }

    /**
     * Why a wildcard {@code *.suffix} (normalized) lets a device reach names anyone can create,
     * or null when it does not: the text of {@code lnm check}'s warning, so whatever proposes a
     * wildcard (lnm suggest) refuses exactly those {@code lnm check} warns about.
     */
    public static String wildcardRisk(String pattern) {
        String suffix = pattern.substring(2);
        if (Suffixes.isPublic(suffix)) {
            return "'" + pattern + "' allows every name under the public suffix '" + suffix
                    + "', where anyone can register a domain; list the names the plant needs instead";
        }
        Map<String, String> tenants = Suffixes.tenantsUnder(suffix);
        if (tenants.isEmpty()) {
            return null;
        }
        Map.Entry<String, String> first = tenants.entrySet().iterator().next();
        String over = tenants.containsKey(suffix) ? "every " + first.getValue() + " in " + suffix
                : "every name in " + String.join(", ", tenants.keySet());
        return "'" + pattern + "' allows " + over + ", and anyone can create one "
                + "(such as exfil-attacker." + first.getKey() + ") to send data to; list the plant's own "
                + first.getValue() + " names instead (myplant." + first.getKey() + " = ...)";
    }

    /**
     * An interface the config names that this box does not have (now): a typo, or a NIC that is
     * renamed or late at boot. Not an error: the box starts and binds it when it appears.
     */
    static void missingInterfaces(Config c, ToIntFunction<String> lineOf, List<Problem> out, java.util.Set<String> present) {
        for (ListenerSpec l : c.listeners()) {
            l.nic().filter(n -> !present.contains(n)).ifPresent(n -> out.add(at(c.file(), lineOf.applyAsInt(Key.LISTEN.name(l.name())),
                    missingText(n, "listener '" + l.name() + "'"))));
        }
        c.dnsListen().flatMap(InterfaceName::of).filter(n -> !present.contains(n)).ifPresent(n -> out.add(at(c.file(),
                lineOf.applyAsInt(Key.DNS_LISTEN.name()), missingText(n, "dns.listen"))));
        for (String n : c.dnsAnswerInterfaces()) {
            if (!present.contains(n)) {
                out.add(at(c.file(), lineOf.applyAsInt(Key.DNS_ANSWER.name()), missingText(n, "dns.answer")));
            }
        }
    }

    private static String missingText(String nic, String who) {
        String then = who.equals("dns.answer") ? "answers with its addresses" : "binds its addresses";
        return "interface '" + nic + "' (" + who + ") does not exist on this box; lnm waits for it to appear and " + then
                + " then (check the name with 'ip link')";
    }

    /** A listener on every address while {@code sources} lets any host in. */
    private static void openListeners(Config c, ToIntFunction<String> lineOf, List<Problem> out) {
        if (c.isSet(Key.SOURCES) || !c.sources().isAny()) {
            return;
        }
        for (ListenerSpec l : c.listeners()) {
            InetSocketAddress b = l.bind();
            if (!b.isUnresolved() && b.getAddress().isAnyLocalAddress()) {
                out.add(at(c.file(), lineOf.applyAsInt(Key.LISTEN.name(l.name())), "listener '" + l.name() + "' binds "
                        + l.bindText() + " (every address of this box) and 'sources' is not set, so any host that reaches "
                        + "the box may connect; set sources = the plant networks' CIDRs"));
            }
        }
    }

    /**
     * PROXY protocol trusted from more than single addresses: any host in a range can claim any
     * origin, which the audit log, the status page and the per-source limits then believe.
     */
    private static void proxyProtocolRanges(Config c, ToIntFunction<String> lineOf, List<Problem> out) {
        for (ListenerSpec l : c.listeners()) {
            CidrSet trusted = l.acceptProxyProtocol();
            List<String> ranges = trusted.isAny() ? List.of("any") : trusted.entries().stream().filter(e -> e.contains("/")).toList();
            if (ranges.isEmpty()) {
                continue;
            }
            String key = Key.LISTEN_ACCEPT_PROXY_PROTOCOL.name(l.name());
            out.add(at(c.file(), lineOf.applyAsInt(key), "'" + key + "' trusts " + String.join(", ", ranges)
                    + ": any host there can forge the origin that the audit log, the status page and the per-source limits "
                    + "use; list the single addresses of the lnm boxes below instead"));
        }
    }

    /** An upstream DNS server that is never asked: only names in {@code dns.forwardZones} go to it. */
    private static void dnsUpstreamWithoutZones(Config c, ToIntFunction<String> lineOf, List<Problem> out) {
        if (c.dnsUpstream().isEmpty() || !c.dnsForwardZones().isEmpty()) {
            return;
        }
        int zonesLine = lineOf.applyAsInt(Key.DNS_FORWARD_ZONES.name());
        out.add(at(c.file(), zonesLine > 0 ? zonesLine : lineOf.applyAsInt(Key.DNS_UPSTREAM.name()),
                "dns.upstream is set but dns.forwardZones lists no zone, so no name is forwarded (names off the "
                        + "allowlist get REFUSED); list the zones the upstream serves, such as 'dns.forwardZones = plant.local', "
                        + "or remove dns.upstream"));
    }

    /**
     * Listeners in report mode: they relay names the allowlist does not list, so the box is not
     * denying by default. Once per listener, at its own {@code policy} key or else at the box's.
     */
    private static void reportMode(Config c, ToIntFunction<String> lineOf, List<Problem> out) {
        for (ListenerSpec l : c.reportListeners()) {
            int own = lineOf.applyAsInt(Key.LISTEN_POLICY.name(l.name()));
            String from = own > 0 ? Key.LISTEN_POLICY.name(l.name()) + " = report" : "policy = report";
            out.add(at(c.file(), own > 0 ? own : lineOf.applyAsInt(Key.POLICY.name()), reportText(l.name(), from)));
        }
    }

    /** What the box says of a listener in report mode: in {@code lnm check}'s warning and the log at start and reload. */
    public static String reportText(String listener, String from) {
        return "listener '" + listener + "' is in report mode (" + from + "): it is not denying by default; names the "
                + "allowlist does not list are relayed and audited as would-deny (reason report); run 'lnm suggest' on "
                + "the audit files, add what the plant needs, then set policy = enforce";
    }
}
