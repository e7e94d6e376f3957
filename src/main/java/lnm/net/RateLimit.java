package lnm.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import lnm.audit.AuditRecord;
import lnm.floor.RateLimiter;
import lnm.floor.SourceKey;

/**
 * {@code limits.perSourceRate}: new connections per source ({@link SourceKey}: an address, or an
 * IPv6 prefix), {@code rate} a second with bursts of twice that, counted by the one token bucket
 * ({@link RateLimiter}); this class adds how the refusals are audited. The first
 * {@link #RECORDED_PER_SECOND} refusals of a source in a second get a record each
 * ({@code rate_limited}); the rest of that second are counted into one record, written when the
 * second is over, whose {@code count} says how many connections it stands for. So a flood of new
 * connections costs a few records a second per source, and cannot rotate real records out of the
 * audit files or overflow the audit queue.
 *
 * <p>Both tables are bounded ({@link #MAX_SOURCES}): the bucket sweeps out sources whose bucket
 * is full again, and a source's refusal window is dropped once its second is over and its record
 * written; a new source that finds a table still full is refused. Thread-safe (one lock): the
 * acceptor and, for origins named by a PROXY v2 header, every loop use it. The clock is injected
 * so tests can drive it.
 */
final class RateLimit {
    /** Refusals of one source in one second that get a record each; later ones are counted. */
    static final int RECORDED_PER_SECOND = 20;
    static final int MAX_SOURCES = 65_536;
    private static final long SECOND = 1_000_000_000L;

    /** What {@link #admit} decided. */
    enum Verdict {
        PASS,
        /** Refused; the connection gets its own record. */
        REFUSE,
        /** Refused past the threshold: hand its record to {@link #count} instead of writing it. */
        COUNT
    }

    /** The refusals of one source in its current second. */
    private static final class Window {
        long start;
        int refused;
        /** The record counting this window's refusals past the threshold, or null. */
        AuditRecord summary;
    }

    private final LongSupplier nanos;
    private final RateLimiter bucket = new RateLimiter(MAX_SOURCES);
    private final Map<InetAddress, Window> windows = new HashMap<>();
    private final List<AuditRecord> due = new ArrayList<>();
    private int lastRate = 1;

    /** @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime}) */
    RateLimit(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * Takes a token for a new connection from {@code source}.
     *
     * @param rate new connections a second; 0 means no limit
     */
    synchronized Verdict admit(InetAddress source, int rate) {
        if (rate <= 0) {
            return Verdict.PASS;
        }
        lastRate = rate;
        long now = nanos.getAsLong();
        if (bucket.allow(source, rate, now)) {
            return Verdict.PASS;
        }
        Window w = windows.get(source);
        if (w == null) {
            if (windows.size() >= MAX_SOURCES) {
                closeWindows(now, false);
                if (windows.size() >= MAX_SOURCES) {
                    return Verdict.REFUSE;
                }
            }
            w = new Window();
            w.start = now;
            windows.put(source, w);
        } else if (now - w.start >= SECOND) {
            closeWindow(w);
            w.start = now;
            w.refused = 0;
        }
        w.refused++;
        return w.refused <= RECORDED_PER_SECOND ? Verdict.REFUSE : Verdict.COUNT;
    }

    /**
     * A refusal {@link #admit} answered {@link Verdict#COUNT} for: the first of its second keeps
     * {@code rec} as the record that counts them all, the others add one to it.
     */
    synchronized void count(InetAddress source, AuditRecord rec) {
        Window s = windows.get(source);
        if (s == null) {
            rec.countFirst();
            due.add(rec);
        } else if (s.summary == null) {
            rec.countFirst();
            s.summary = rec;
        } else {
            s.summary.countAnother();
        }
    }

    /** The counting records whose second is over, to be written now; {@code all} takes every pending one (shutdown). */
    synchronized List<AuditRecord> due(boolean all) {
        long now = nanos.getAsLong();
        closeWindows(now, all);
        if (bucket.size() > MAX_SOURCES / 16) {
            bucket.sweep(lastRate, now);
        }
        if (due.isEmpty()) {
            return List.of();
        }
        List<AuditRecord> out = new ArrayList<>(due);
        due.clear();
        return out;
    }

    /** Sources remembered: those whose bucket is not full again. */
    synchronized int size() {
        return bucket.size();
    }

    /** Sources with a refusal window open (refused in their current second). */
    synchronized int windows() {
        return windows.size();
    }

    /** Queues the records of the windows whose second is over ({@code all}: every pending one) and drops the windows that are over. */
    private void closeWindows(long now, boolean all) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext();) {
            Window w = it.next();
            boolean over = now - w.start >= SECOND;
            if (over || all) {
                closeWindow(w);
            }
            if (over) {
                it.remove();
            }
        }
    }

    private void closeWindow(Window w) {
        if (w.summary != null) {
            due.add(w.summary);
            w.summary = null;
        }
    }
}
