package lnm.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import lnm.audit.Json;
import lnm.config.Config;
import lnm.config.IpLiteral;
import lnm.floor.RateLimiter;
import lnm.floor.SourceKey;
import lnm.wire.ParseResult;

/**
 * One query's way through the DNS server, whatever the transport: source check, rate limit,
 * parse, decide ({@link Responder}), answer or forward, count, audit.
 *
 * <p>Queries from outside {@code dns.sources} and queries over the client's rate get nothing
 * back, over UDP and TCP alike: an answer is what an amplification attack wants, and a
 * spoofed source never sees a REFUSED anyway. Both are counted, and neither is audited one
 * line per query: a flood would flood the audit log. Source-denied queries are audited at
 * most {@value #DENIED_AUDIT_RATE} a second in all. Single-threaded: the DNS server's loop only.
 */
final class QueryHandler {
    /** Sends a response to the client the query came from. */
    interface Reply {
        void send(byte[] response);
    }

    static final String UDP = "udp";
    static final String TCP = "tcp";
    static final int TCP_LIMIT = 65535;
    static final int DENIED_AUDIT_RATE = 10;
    private static final InetAddress DENIED_KEY = InetAddress.getLoopbackAddress();

    private final Supplier<Config> config;
    private final DnsCounters counters;
    private final Consumer<String> audit;
    private final Supplier<Forwarder> forwarder;
    private final Function<InetAddress, Responder.Local> locals;
    private final LongSupplier clock;
    private final RateLimiter limiter;
    private final RateLimiter deniedAudit = new RateLimiter(1);
    private final Supplier<Map<String, List<InetAddress>>> nics;
    private Config policyOf;
    private Map<String, List<InetAddress>> policyNics;
    private Responder.Policy policy;

    /**
     * @param audit     takes finished JSON lines (null: never audit)
     * @param forwarder the forwarder; null when there is none
     * @param locals    this box's addresses for a local address a query arrived on
     */
    QueryHandler(Supplier<Config> config, DnsCounters counters, Consumer<String> audit, Supplier<Forwarder> forwarder,
                 Function<InetAddress, Responder.Local> locals, LongSupplier clock, int maxClients) {
        this(config, counters, audit, forwarder, locals, clock, maxClients, Map::of);
    }

    /** @param nics the current addresses of the interfaces {@code dns.answer} may name (a new map when they change) */
    QueryHandler(Supplier<Config> config, DnsCounters counters, Consumer<String> audit, Supplier<Forwarder> forwarder,
                 Function<InetAddress, Responder.Local> locals, LongSupplier clock, int maxClients,
                 Supplier<Map<String, List<InetAddress>>> nics) {
        this.nics = nics;
        this.config = config;
        this.counters = counters;
        this.audit = audit;
        this.forwarder = forwarder;
        this.locals = locals;
        this.clock = clock;
        this.limiter = new RateLimiter(maxClients);
    }

    RateLimiter limiter() {
        return limiter;
    }

    /**
     * Handles the message in {@code msg[position, limit)}, which is only read during this call.
     *
     * @param local the address of this box the query was sent to
     * @return true if the query was forwarded: {@code reply} runs later, exactly once; else
     *         it has run already, or never will (the query is dropped)
     */
    boolean handle(ByteBuffer msg, InetSocketAddress client, InetAddress local, String transport, Reply reply) {
        long now = clock.getAsLong();
        Config c = config.get();
        InetAddress ip = IpLiteral.unmapped(client.getAddress());
        if (!c.dnsSources().contains(ip)) {
            counters.count(DnsResult.SOURCE_DENIED);
            if (deniedAudit.allow(DENIED_KEY, DENIED_AUDIT_RATE, now)) {
                audit(c, client, transport, null, null, DnsResult.SOURCE_DENIED, List.of(), null, null, null);
            }
            return false;
        }
        if (!limiter.allow(SourceKey.of(ip, c.ipv6PrefixLength()), c.dnsRateLimit(), now)) {
            counters.count(DnsResult.RATELIMITED);
            return false;
        }
        ParseResult<DnsMessage> r = DnsParser.parse(msg);
        if (r instanceof ParseResult.Invalid<DnsMessage> bad) {
            byte[] formerr = DnsWriter.formatError(msg);
            counters.count(DnsResult.MALFORMED); // counted before the reply, so a client that saw it sees the count
            if (formerr != null) {
                reply.send(formerr);
            }
            audit(c, client, transport, null, formerr == null ? null : DnsCodes.FORMERR, DnsResult.MALFORMED, List.of(),
                    null, null, bad.detail());
            return false;
        }
        DnsMessage m = ((ParseResult.Parsed<DnsMessage>) r).value();
        if (m.isResponse()) {
            counters.count(DnsResult.MALFORMED);
            audit(c, client, transport, m, null, DnsResult.MALFORMED, List.of(), null, null, "a response, not a query");
            return false;
        }
        Responder.Outcome o = Responder.decide(m, policy(c), locals.apply(local), limit(transport, m));
        if (o.result() == DnsResult.FORWARDED) {
            return forward(c, msg, m, client, transport, reply, now);
        }
        counters.count(o.result());
        if (o.truncated()) {
            counters.truncated.increment();
        }
        reply.send(o.response());
        audit(c, client, transport, m, o.rcode(), o.result(), o.answers(), o.rule(), null, o.truncated() ? "truncated" : null);
        return false;
    }

    /**
     * The most bytes an answer to {@code m} may have: over UDP the client's EDNS size (at most
     * what lnm advertises), 512 without EDNS; over TCP a whole message.
     */
    static int limit(String transport, DnsMessage m) {
        if (transport.equals(TCP)) {
            return TCP_LIMIT;
        }
        return m.edns() == null ? DnsWriter.CLASSIC_UDP_LIMIT : Math.min(m.edns().udpLimit(), DnsWriter.UDP_SIZE);
    }

    private boolean forward(Config c, ByteBuffer msg, DnsMessage m, InetSocketAddress client, String transport, Reply reply,
                         long now) {
        byte[] query = new byte[msg.remaining()];
        msg.get(msg.position(), query);
        Forwarder f = forwarder.get();
        Forwarder.Done done = new Forwarder.Done() {
            @Override
            public void answered(byte[] response, DnsMessage parsed, InetSocketAddress upstream) {
                counters.count(DnsResult.FORWARDED);
                // Never more than the client can take (and never an amplifier): cut to the header and TC.
                boolean cut = response.length > limit(transport, m);
                if (cut) {
                    counters.truncated.increment();
                }
                reply.send(cut ? DnsWriter.truncatedRelay(m, parsed) : response);
                audit(config.get(), client, transport, m, parsed.rcode(), DnsResult.FORWARDED,
                        cut ? List.of() : addresses(parsed), null, IpLiteral.format(upstream), cut ? "truncated" : null);
            }

            @Override
            public void failed(String why) {
                counters.count(DnsResult.SERVFAIL);
                reply.send(DnsWriter.error(m, DnsCodes.SERVFAIL));
                audit(config.get(), client, transport, m, DnsCodes.SERVFAIL, DnsResult.SERVFAIL, List.of(), null, null, why);
            }
        };
        if (f == null) {
            done.failed("no forwarder");
            return false;
        }
        String notSent = f.forward(query, m, c.dnsUpstream(), c.dnsUpstreamTimeoutMillis() * 1_000_000L, now, done);
        if (notSent != null) {
            done.failed(notSent);
            return false;
        }
        return true;
    }

    private Responder.Policy policy(Config c) {
        Map<String, List<InetAddress>> n = c.dnsAnswerInterfaces().isEmpty() ? Map.of() : nics.get();
        if (c != policyOf || n != policyNics) {
            policy = Responder.Policy.of(c, n);
            policyOf = c;
            policyNics = n;
        }
        return policy;
    }

    /** The A and AAAA addresses in an upstream's answer section, for the audit line. */
    static List<InetAddress> addresses(DnsMessage m) {
        List<InetAddress> out = new ArrayList<>();
        for (DnsMessage.Record rr : m.answers()) {
            boolean a = rr.type() == DnsCodes.TYPE_A && rr.rdata().length == 4;
            boolean aaaa = rr.type() == DnsCodes.TYPE_AAAA && rr.rdata().length == 16;
            if ((a || aaaa) && rr.rclass() == DnsCodes.CLASS_IN) {
                try {
                    out.add(InetAddress.getByAddress(rr.rdata()));
                } catch (java.net.UnknownHostException e) {
                    // length checked above
                }
            }
        }
        return out;
    }

    private void audit(Config c, InetSocketAddress client, String transport, DnsMessage m, Integer rcode, DnsResult result,
                       List<InetAddress> answers, String rule, String upstream, String error) {
        if (audit == null || !c.dnsAudit()) {
            return;
        }
        audit.accept(line(Instant.ofEpochMilli(System.currentTimeMillis()), c.level(), client, transport, m, rcode, result,
                answers, rule, upstream, error));
    }

    /**
     * One audit line: {@code time, kind:"dns", level, client, transport, name, type, rcode,
     * result, answer} and, when there is one, {@code rule}, {@code upstream}, {@code error}.
     * {@code name} and {@code type} are null for a query that did not parse, {@code rcode}
     * when nothing was sent.
     */
    static String line(Instant time, int level, InetSocketAddress client, String transport, DnsMessage m, Integer rcode,
                       DnsResult result, List<InetAddress> answers, String rule, String upstream, String error) {
        DnsMessage.Question q = m == null ? null : m.question();
        Json j = new Json();
        j.field("time", time.toString());
        j.field("kind", "dns");
        j.field("level", level);
        j.field("client", IpLiteral.format(client));
        j.field("transport", transport);
        j.field("name", q == null ? null : q.name().lowerText());
        j.field("type", q == null ? null : DnsCodes.typeName(q.type()));
        j.field("rcode", rcode == null ? null : DnsCodes.rcodeName(rcode));
        j.field("result", result.label());
        j.field("answer", answers.stream().map(a -> IpLiteral.format(IpLiteral.unmapped(a))).toList());
        if (rule != null) {
            j.field("rule", rule);
        }
        if (upstream != null) {
            j.field("upstream", upstream);
        }
        if (error != null) {
            j.field("error", error);
        }
        return j.close();
    }
}
