package lnm.floor;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live connections in all and per source, counted against a total and a per-source cap: the
 * proxy's listeners ({@code limits.maxConnections}, {@code limits.perSourceConnections}) and the
 * DNS server's TCP clients use one each. A source is whatever address its caller passes;
 * callers pass {@link SourceKey#of} of the client, so that all addresses of one IPv6 prefix
 * count as one source, and release under the same key they acquired with. Thread-safe: the
 * proxy's loops share one.
 */
public final class SourceCounter {
    /** The outcome of {@link #acquire}. */
    public enum Verdict {
        /** Counted; {@link #release} must follow. */
        ADMITTED,
        /** The total cap is reached; nothing was counted. */
        TOTAL_FULL,
        /** This source's cap is reached; nothing was counted. */
        SOURCE_FULL
    }

    private final AtomicInteger total = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();

    /** Counts one more connection from {@code source} unless a cap would be passed. */
    public Verdict acquire(InetAddress source, int maxTotal, int maxPerSource) {
        if (!acquireTotal(maxTotal)) {
            return Verdict.TOTAL_FULL;
        }
        if (!acquireSource(source, maxPerSource)) {
            releaseTotal();
            return Verdict.SOURCE_FULL;
        }
        return Verdict.ADMITTED;
    }

    /** Forgets one connection from {@code source} counted by {@link #acquire}. */
    public void release(InetAddress source) {
        releaseSource(source);
        releaseTotal();
    }

    /** Counts one more connection in all (not for any source) unless {@code maxTotal} would be passed. */
    public boolean acquireTotal(int maxTotal) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Counts one more connection for {@code source} (not in all) unless {@code maxPerSource} would be passed. */
    public boolean acquireSource(InetAddress source, int maxPerSource) {
        int[] count = new int[1];
        perSource.compute(source, (k, n) -> {
            AtomicInteger m = n == null ? new AtomicInteger() : n;
            count[0] = m.incrementAndGet();
            return m;
        });
        if (count[0] > maxPerSource) {
            releaseSource(source);
            return false;
        }
        return true;
    }

    /** Forgets one connection counted by {@link #acquireTotal}. */
    public void releaseTotal() {
        total.decrementAndGet();
    }

    /** Forgets one connection counted by {@link #acquireSource}. */
    public void releaseSource(InetAddress source) {
        perSource.computeIfPresent(source, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** Connections counted in all. */
    public int total() {
        return total.get();
    }

    /** Connections counted from {@code source}. */
    public int of(InetAddress source) {
        AtomicInteger n = perSource.get(source);
        return n == null ? 0 : n.get();
    }

    /** Sources with at least one connection counted (the table never holds others). */
    public int sources() {
        return perSource.size();
    }
}
