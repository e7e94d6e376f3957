package lnm.side;

import java.util.concurrent.atomic.LongAdder;

/** What a side port turned away, by why: the admin endpoint shows them as metrics. */
public final class SideStats {
    /** Clients outside the port's sources. */
    final LongAdder source = new LongAdder();
    /** Clients over their rate of new connections. */
    final LongAdder rate = new LongAdder();
    /** Connections refused or answered 503 because the port, a source, the body budget or the workers were full. */
    final LongAdder full = new LongAdder();
    /** Connections closed to make room for a new one (still sending their request). */
    final LongAdder evicted = new LongAdder();
    /** Connections closed at their deadline before their answer was written. */
    final LongAdder timeout = new LongAdder();
    /** Requests refused as malformed, too large or not served here. */
    final LongAdder bad = new LongAdder();

    /** Counts by reason, in a fixed order: source, rate, full, evicted, timeout, bad. */
    public long[] counts() {
        return new long[] {source.sum(), rate.sum(), full.sum(), evicted.sum(), timeout.sum(), bad.sum()};
    }

    /** The reasons in the order of {@link #counts}. */
    public static final String[] REASONS = {"source", "rate", "full", "evicted", "timeout", "bad_request"};
}
