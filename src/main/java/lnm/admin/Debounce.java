package lnm.admin;

/**
 * When a burst of file events has gone quiet: due {@code quietMillis} after the last hit, but
 * never later than {@code maxMillis} after the first one of the burst (a file rewritten every
 * few milliseconds forever still gets loaded). Pure arithmetic over the times it is given, so
 * that its rules can be tested without a clock.
 */
final class Debounce {
    private final long quietMillis;
    private final long maxMillis;
    private long firstAt;
    private long dueAt;
    private boolean pending;

    Debounce(long quietMillis, long maxMillis) {
        this.quietMillis = quietMillis;
        this.maxMillis = maxMillis;
    }

    /** An event that matters arrived at {@code now}. */
    void hit(long now) {
        if (!pending) {
            pending = true;
            firstAt = now;
        }
        dueAt = Math.min(now + quietMillis, firstAt + maxMillis);
    }

    /** Whether a burst is waiting to go quiet. */
    boolean pending() {
        return pending;
    }

    /** Milliseconds until due (at least 1), or -1 when nothing is pending. */
    long waitMillis(long now) {
        return pending ? Math.max(1, dueAt - now) : -1;
    }

    /** True once when the pending burst is due at {@code now}; the next hit starts a new burst. */
    boolean fire(long now) {
        if (pending && now >= dueAt) {
            pending = false;
            return true;
        }
        return false;
    }
}
