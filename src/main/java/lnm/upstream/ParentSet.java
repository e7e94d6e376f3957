package lnm.upstream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.ParentList;

/**
 * The parents ({@code parent = a, b, ...}) with their health, shared by every connection.
 *
 * <p>Health has two inputs. Passive: a connection that could not reach a parent (refused,
 * reset, timed out) reports {@link #failed}; the parent is then tried last for
 * {@code parent.downSeconds}, or until an active check or a later connection reaches it.
 * Active: {@link #check} (run every {@code parent.checkSeconds} by {@link ParentChecker}) probes
 * each parent; a failed probe marks it down until a probe or a connection succeeds, a
 * successful one brings it back at once.
 *
 * <p>{@link #candidates} gives the order for one connection: the parents that are up, by
 * {@code parent.balance}, then the ones marked down (a mark may be stale, and trying them
 * beats failing the client when nothing is up). Thread-safe; the clock is injected so tests
 * control time.
 */
public final class ParentSet {
    private final LongSupplier clock;
    private final AtomicInteger turn = new AtomicInteger();
    private volatile Plan plan;

    /** One config's parents and settings; entries are carried over by a reload that keeps them. */
    private record Plan(List<Entry> entries, ParentList.Balance balance, long downMillis) {}

    /** One parent's health and counters. */
    private static final class Entry {
        final HostPort parent;
        final LongAdder attempts = new LongAdder();
        final LongAdder failures = new LongAdder();
        volatile boolean down;
        /** When a passive mark ends; {@code Long.MAX_VALUE} after a failed active check. */
        volatile long downUntil;
        volatile long changedAt;
        volatile String lastError;

        Entry(HostPort parent, long now) {
            this.parent = parent;
            this.changedAt = now;
        }

        boolean up(long now) {
            return !down || now >= downUntil;
        }

        void markUp(long now) {
            if (!down) {
                return; // every connection reports: no lock when nothing changes
            }
            synchronized (this) {
                if (down) {
                    down = false;
                    changedAt = now;
                }
            }
        }

        synchronized void markDown(long now, long until, String why) {
            if (!down || now >= downUntil) {
                changedAt = now;
            }
            down = true;
            downUntil = until;
            lastError = why;
        }
    }

    /** Whether this set holds the egress proxies ({@code egress.proxy}) rather than the parents. */
    private final boolean proxies;

    /** @param clock milliseconds, monotonic (tests pass their own) */
    public ParentSet(Config c, LongSupplier clock) {
        this(c, clock, false);
    }

    private ParentSet(Config c, LongSupplier clock, boolean proxies) {
        this.clock = clock;
        this.proxies = proxies;
        apply(c);
    }

    /**
     * The egress proxies ({@code egress.proxy}) with the same health as parents: a proxy that
     * refused or did not take a TCP connection is tried last for {@code parent.downSeconds};
     * always in the order written (failover). No active checks: every connection is one.
     */
    public static ParentSet proxies(Config c, LongSupplier clock) {
        return new ParentSet(c, clock, true);
    }

    /** Takes the parents and settings of a reloaded config; parents still listed keep their health. */
    public synchronized void apply(Config c) {
        Map<HostPort, Entry> old = new HashMap<>();
        if (plan != null) {
            plan.entries.forEach(e -> old.put(e.parent, e));
        }
        long now = clock.getAsLong();
        List<Entry> entries = new ArrayList<>();
        for (HostPort p : proxies ? c.egressProxies() : c.parents()) {
            Entry e = old.get(p);
            entries.add(e != null ? e : new Entry(p, now));
        }
        plan = new Plan(List.copyOf(entries), proxies ? ParentList.Balance.FAILOVER : c.parentBalance(), c.parentDownMillis());
    }

    /** Whether any parent is configured. */
    public boolean isEmpty() {
        return plan.entries.isEmpty();
    }

    /** How many parents are configured. */
    public int size() {
        return plan.entries.size();
    }

    /**
     * The parents to try for one connection, in order, as configured (port -1 means the
     * listener's): those up first (failover: in the order written; round-robin: starting one
     * further on each call), then those marked down, in the order written.
     */
    public List<HostPort> candidates() {
        Plan p = plan;
        long now = clock.getAsLong();
        List<HostPort> up = new ArrayList<>(p.entries.size());
        List<HostPort> down = new ArrayList<>();
        for (Entry e : p.entries) {
            (e.up(now) ? up : down).add(e.parent);
        }
        if (p.balance == ParentList.Balance.ROUND_ROBIN && up.size() > 1) {
            int start = Math.floorMod(turn.getAndIncrement(), up.size());
            List<HostPort> rotated = new ArrayList<>(up.subList(start, up.size()));
            rotated.addAll(up.subList(0, start));
            up = rotated;
        }
        up.addAll(down);
        return up;
    }

    /** A connection reached {@code parent} (as returned by {@link #candidates}): it is up. */
    public void succeeded(HostPort parent) {
        Entry e = entry(parent);
        if (e != null) {
            e.attempts.increment();
            e.markUp(clock.getAsLong());
        }
    }

    /** A connection could not reach {@code parent}: tried last for {@code parent.downSeconds}. */
    public void failed(HostPort parent, String why) {
        Entry e = entry(parent);
        if (e != null) {
            e.attempts.increment();
            e.failures.increment();
            long now = clock.getAsLong();
            e.markDown(now, Math.max(now + plan.downMillis, e.down ? e.downUntil : 0), why);
        }
    }

    /**
     * One round of active checks: probes every parent in turn and records the results.
     * Blocking (the probes connect); runs on the checker's thread, or in tests.
     *
     * @param probe returns null when the parent answered, else why not
     */
    public void check(Probe probe) {
        for (Entry e : plan.entries) {
            String why;
            try {
                why = probe.probe(e.parent);
            } catch (RuntimeException ex) {
                why = "check failed: " + ex;
            }
            long now = clock.getAsLong();
            if (why == null) {
                e.markUp(now);
            } else {
                e.markDown(now, Long.MAX_VALUE, why);
            }
        }
    }

    /** Each parent's state now, in the order written (status page, metrics). */
    public List<ParentStatus> status() {
        long now = clock.getAsLong();
        List<ParentStatus> out = new ArrayList<>();
        for (Entry e : plan.entries) {
            boolean up = e.up(now);
            out.add(new ParentStatus(e.parent, up, now - e.changedAt, e.attempts.sum(), e.failures.sum(),
                    up ? null : e.lastError));
        }
        return out;
    }

    private Entry entry(HostPort parent) {
        for (Entry e : plan.entries) {
            if (e.parent.equals(parent)) {
                return e;
            }
        }
        return null; // removed by a reload while the connection was under way
    }

    /** An active check of one parent. */
    @FunctionalInterface
    public interface Probe {
        /** Null when {@code parent} answered, else a short reason. */
        String probe(HostPort parent);
    }
}
