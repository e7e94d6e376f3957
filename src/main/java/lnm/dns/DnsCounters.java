package lnm.dns;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Query counts per {@link DnsResult}, plus how many answers went out truncated and how many
 * datagrams were dropped as not the answer to a forwarded query. Written by
 * the DNS server's loop, read by anyone (the metrics endpoint).
 */
public final class DnsCounters {
    private final LongAdder[] byResult = new LongAdder[DnsResult.values().length];
    /** Answers sent with TC set because they did not fit the client's UDP size (also counted as answered). */
    public final LongAdder truncated = new LongAdder();
    /** TCP clients closed at their query or connection deadline (not counted as queries). */
    public final LongAdder tcpDeadlines = new LongAdder();
    /**
     * Datagrams on a forwarded query's socket that were not its answer (wrong source address or
     * port, ID or question, not a response, garbled): dropped. Not queries; a rise means forged
     * answers or a confused upstream.
     */
    public final LongAdder forwardMismatches = new LongAdder();

    public DnsCounters() {
        for (int i = 0; i < byResult.length; i++) {
            byResult[i] = new LongAdder();
        }
    }

    void count(DnsResult r) {
        byResult[r.ordinal()].increment();
    }

    public long get(DnsResult r) {
        return byResult[r.ordinal()].sum();
    }

    /** Every count by {@link DnsResult#label()} in declaration order, then {@code truncated} and {@code forward_mismatch}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (DnsResult r : DnsResult.values()) {
            m.put(r.label(), get(r));
        }
        m.put("truncated", truncated.sum());
        m.put("forward_mismatch", forwardMismatches.sum());
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
