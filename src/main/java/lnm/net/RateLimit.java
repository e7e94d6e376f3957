package lnm.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import lnm.audit.AuditRecord;
import lnm.limits.SourceKey;

/**
 * {@code limits.perSourceRate}: a token bucket per source ({@link SourceKey}: an address, or an
 * IPv6 prefix) for new connections, {@code rate} a second with bursts of twice that, and how
 * the refusals are audited. The first
 * {@link #RECORDED_PER_SECOND} refusals of a source in a second get a record each
 * ({@code rate_limited}); the rest of that second are counted into one record, written when the
 * second is over, whose {@code count} says how many connections it stands for. So a flood of new
 * connections costs a few records a second per source, and cannot rotate real records out of the
 * audit files or overflow the audit queue.
 *
 * <p>The table is bounded ({@link #MAX_SOURCES}): sources whose bucket is full again and that
 * have nothing pending carry no information and are swept out; when it is still full, a new
 * source is refused. Thread-safe (one lock): the acceptor and, for origins named by a PROXY v2
 * header, every loop use it. The clock is injected so tests can drive it.
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

    private static final class Source {
        double tokens;
        long last;
        long windowStart;
        int refusedInWindow;
        /** The record counting this window's refusals past the threshold, or null. */
        AuditRecord summary;
    }

    private final LongSupplier nanos;
    private final Map<InetAddress, Source> sources = new HashMap<>();
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
        double burst = 2.0 * rate;
        Source s = sources.get(source);
        if (s == null) {
            if (sources.size() >= MAX_SOURCES) {
                sweep(now);
                if (sources.size() >= MAX_SOURCES) {
                    return Verdict.REFUSE;
                }
            }
            s = new Source();
            s.tokens = burst;
            s.last = now;
            s.windowStart = now - SECOND;
            sources.put(source, s);
        } else {
            s.tokens = Math.min(burst, s.tokens + Math.max(0, now - s.last) * (rate / 1e9));
            s.last = now;
        }
        if (s.tokens >= 1) {
            s.tokens -= 1;
            return Verdict.PASS;
        }
        if (now - s.windowStart >= SECOND) {
            closeWindow(s);
            s.windowStart = now;
            s.refusedInWindow = 0;
        }
        s.refusedInWindow++;
        return s.refusedInWindow <= RECORDED_PER_SECOND ? Verdict.REFUSE : Verdict.COUNT;
    }

    /**
     * A refusal {@link #admit} answered {@link Verdict#COUNT} for: the first of its second keeps
     * {@code rec} as the record that counts them all, the others add one to it.
     */
    synchronized void count(InetAddress source, AuditRecord rec) {
        Source s = sources.get(source);
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
        for (Source s : sources.values()) {
            if (s.summary != null && (all || now - s.windowStart >= SECOND)) {
                closeWindow(s);
            }
        }
        if (sources.size() > MAX_SOURCES / 16) {
            sweep(now);
        }
        if (due.isEmpty()) {
            return List.of();
        }
        List<AuditRecord> out = new ArrayList<>(due);
        due.clear();
        return out;
    }

    synchronized int size() {
        return sources.size();
    }

    private void closeWindow(Source s) {
        if (s.summary != null) {
            due.add(s.summary);
            s.summary = null;
        }
    }

    /** Drops sources whose bucket is full again and that have no record pending. */
    private void sweep(long now) {
        double burst = 2.0 * lastRate;
        for (Iterator<Source> it = sources.values().iterator(); it.hasNext();) {
            Source s = it.next();
            if (s.summary == null && s.tokens + Math.max(0, now - s.last) * (lastRate / 1e9) >= burst) {
                it.remove();
            }
        }
    }
}
