package lnm.net;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all connections together may hold before their decision ({@code limits.headBytes}):
 * hellos, HTTP request heads and PROXY headers, kept in each connection's {@link Head}. Without
 * it, a few thousand clients each sending a legal 64 KiB hello minus its last byte fill the Java
 * heap; with it, a head that cannot grow is refused ({@code head_budget}) and lnm stays up.
 *
 * <p>{@code auto} (the default) is a quarter of the heap ({@code Runtime.maxMemory()}): the rest
 * stays for relay buffers, the audit queue, the connections themselves and the collector's slack.
 * The last quarter of the budget is kept for heads of at most {@link #SMALL} bytes (every
 * ordinary hello and request head), so a flood of large heads cannot refuse ordinary clients.
 * Thread-safe: the loops share one.
 */
final class HeadBudget {
    /** Heads up to this size may use the whole budget; larger ones only the first three quarters. */
    static final int SMALL = 8 * 1024;
    /** Never less than this, whatever the heap. */
    static final long MIN = 1L << 20;

    private final AtomicLong held = new AtomicLong();
    private volatile long limit;

    HeadBudget(long configured) {
        setLimit(configured);
    }

    /** {@code configured} bytes, or 0 for a quarter of the heap. */
    void setLimit(long configured) {
        limit = configured > 0 ? configured : Math.max(MIN, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * Takes {@code n} more bytes for a head that will then hold {@code total}.
     *
     * @return false, taking nothing, when the budget cannot give them
     */
    boolean take(int n, int total) {
        long l = limit;
        long max = total <= SMALL ? l : l - l / 4;
        while (true) {
            long h = held.get();
            if (h + n > max) {
                return false;
            }
            if (held.compareAndSet(h, h + n)) {
                return true;
            }
        }
    }

    /** Gives back {@code n} bytes taken by {@link #take}. */
    void give(int n) {
        held.addAndGet(-n);
    }

    long held() {
        return held.get();
    }

    long limit() {
        return limit;
    }
}
