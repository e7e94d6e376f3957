package lnm.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lnm.config.Allowlist;
import lnm.config.Config;
import lnm.config.ForwardZones;
import lnm.config.Rule;

/**
 * Decides what one parsed query gets. Pure: the same query, policy and addresses always give
 * the same bytes, so tests compare answers byte for byte.
 *
 * <ol>
 *   <li>opcode other than QUERY: NOTIMP; EDNS version above 0: BADVERS (RFC 6891);
 *   <li>not exactly one question: FORMERR;
 *   <li>class IN and a name the allowlist allows (exact or wildcard, the proxy's own
 *       {@link Allowlist#match}): authoritative NOERROR. Type A gets the IPv4 addresses,
 *       AAAA the IPv6 ones: {@code dns.answer}'s if set (with the current addresses of the
 *       interfaces it names), else this box's on the interface the
 *       query arrived on. Every other type (MX, TXT, HTTPS, ANY, ...) and a family the box
 *       has no address of get an empty NOERROR without an SOA in the authority section: the
 *       name exists, it just has no such record here. So clients fall back to A/AAAA, and a
 *       small query never buys a large answer;
 *   <li>a name at or below one of {@code dns.forwardZones} (with {@code dns.upstream} set):
 *       forwarded;
 *   <li>class IN while a listener is in report mode ({@link Policy#report}): answered as an
 *       allowed name (no rule), so the device's connection reaches the listener, which relays
 *       it as would-deny; the name is still never forwarded;
 *   <li>anything else: REFUSED. So no name outside the allowlist and the plant's own zones
 *       ever reaches the plant's resolver, which may well resolve internet names: the DNS
 *       server is no tunnel around the allowlist.
 * </ol>
 */
public final class Responder {
    private Responder() {}

    /** What the config says about answering. */
    /**
     * @param forward the zones forwarded upstream ({@link ForwardZones#NONE} without {@code dns.upstream})
     * @param report a listener is in report mode: a name off the allowlist (and outside the
     *     forwarded zones) is answered with this box's addresses too, so its connection reaches
     *     the listener, which relays it as would-deny
     */
    public record Policy(Allowlist allowlist, List<InetAddress> fixedV4, List<InetAddress> fixedV6, long ttl,
                         ForwardZones forward, boolean report) {
        public Policy {
            fixedV4 = List.copyOf(fixedV4);
            fixedV6 = List.copyOf(fixedV6);
        }

        /** An enforcing policy: names off the allowlist are refused. */
        public Policy(Allowlist allowlist, List<InetAddress> fixedV4, List<InetAddress> fixedV6, long ttl, ForwardZones forward) {
            this(allowlist, fixedV4, fixedV6, ttl, forward, false);
        }

        /** The policy of a config snapshot that names no interface in {@code dns.answer}. */
        public static Policy of(Config c) {
            return of(c, java.util.Map.of());
        }

        /**
         * The policy of a config snapshot, with the current addresses of the interfaces that
         * {@code dns.answer} names ({@code nics}: interface to addresses) after its fixed ones.
         * While those interfaces have no address and no fixed one is set, the answer is the
         * arrival interface's address, as without {@code dns.answer}.
         */
        public static Policy of(Config c, java.util.Map<String, List<InetAddress>> nics) {
            List<InetAddress> v4 = new ArrayList<>();
            List<InetAddress> v6 = new ArrayList<>();
            List<InetAddress> all = new ArrayList<>(c.dnsAnswer());
            for (String n : c.dnsAnswerInterfaces()) {
                for (InetAddress a : nics.getOrDefault(n, List.of())) {
                    if (!all.contains(a)) {
                        all.add(a);
                    }
                }
            }
            for (InetAddress a : all) {
                (a instanceof Inet4Address ? v4 : v6).add(a);
            }
            return new Policy(c.allowlist(), v4, v6, c.dnsTtl(),
                    c.dnsUpstream().isEmpty() ? ForwardZones.NONE : c.dnsForwardZones(), !c.reportListeners().isEmpty());
        }

        /** Whether {@code dns.answer} is set (then the box's own addresses are not used). */
        boolean fixed() {
            return !fixedV4.isEmpty() || !fixedV6.isEmpty();
        }
    }

    /** This box's addresses on the interface a query arrived on. */
    public record Local(List<InetAddress> v4, List<InetAddress> v6) {
        public static final Local NONE = new Local(List.of(), List.of());

        public Local {
            v4 = List.copyOf(v4);
            v6 = List.copyOf(v6);
        }
    }

    /**
     * @param result   {@link DnsResult#FORWARDED} means "forward it" (then {@code response} is null)
     * @param rcode    the rcode sent, -1 when nothing is sent yet
     * @param answers  the addresses in the answer (empty when truncated)
     * @param rule     the allowlist pattern that matched, or null
     */
    public record Outcome(DnsResult result, int rcode, byte[] response, List<InetAddress> answers, String rule,
                          boolean truncated) {}

    /**
     * @param limit the most bytes the client can take: its UDP size, or 65535 over TCP
     */
    public static Outcome decide(DnsMessage q, Policy p, Local local, int limit) {
        if (q.opcode() != DnsCodes.OPCODE_QUERY) {
            return error(q, DnsResult.UNSUPPORTED, DnsCodes.NOTIMP);
        }
        if (q.edns() != null && q.edns().version() != 0) {
            return error(q, DnsResult.UNSUPPORTED, DnsCodes.BADVERS);
        }
        DnsMessage.Question question = q.question();
        if (question == null) {
            return error(q, DnsResult.MALFORMED, DnsCodes.FORMERR);
        }
        Optional<Rule> rule = question.qclass() == DnsCodes.CLASS_IN ? p.allowlist().match(question.name().text())
                : Optional.empty();
        if (rule.isEmpty()) {
            if (p.forward().covers(question.name().text())) {
                return new Outcome(DnsResult.FORWARDED, -1, null, List.of(), null, false);
            }
            if (!p.report() || question.qclass() != DnsCodes.CLASS_IN) {
                return error(q, DnsResult.REFUSED, DnsCodes.REFUSED);
            }
        }
        List<InetAddress> addresses = switch (question.type()) {
            case DnsCodes.TYPE_A -> p.fixed() ? p.fixedV4() : local.v4();
            case DnsCodes.TYPE_AAAA -> p.fixed() ? p.fixedV6() : local.v6();
            default -> List.of();
        };
        byte[] bytes = DnsWriter.answer(q, DnsCodes.NOERROR, true, addresses, p.ttl(), limit);
        boolean tc = DnsWriter.truncated(bytes);
        return new Outcome(DnsResult.ANSWERED, DnsCodes.NOERROR, bytes, tc ? List.of() : addresses,
                rule.map(Rule::pattern).orElse(null), tc);
    }

    private static Outcome error(DnsMessage q, DnsResult result, int rcode) {
        // BADVERS needs an OPT record to carry it; a query without one never gets here.
        return new Outcome(result, rcode, DnsWriter.error(q, rcode), List.of(), null, false);
    }
}
