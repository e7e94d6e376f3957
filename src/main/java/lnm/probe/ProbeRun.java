package lnm.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the probes of a plan, at most {@code parallel} at a time, each name within its overall
 * limit, and hands the outcomes on in the plan's order as soon as each and all before it are
 * known: the output never depends on which probe finished first.
 */
public final class ProbeRun {
    /** The most probes at a time {@code --parallel} may ask for. */
    public static final int MAX_PARALLEL = 64;
    /** The widest the NAME and ROUTE columns are padded to. */
    static final int MAX_WIDTH = 60;
    /** The ROUTE column fits an IPv4 address and port at least ({@code parent 255.255.255.255:65535}). */
    private static final int MIN_ROUTE_WIDTH = 28;

    private ProbeRun() {}

    /**
     * Probes every target and passes each outcome to {@code inOrder} in the plan's order.
     *
     * @return the outcomes, in the plan's order
     */
    public static List<Outcome> run(List<Target> targets, Settings s, int parallel, Consumer<Outcome> inOrder) {
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new IllegalArgumentException("parallel " + parallel);
        }
        ExecutorService workers = Executors.newFixedThreadPool(parallel, daemon("lnm-probe"));
        ScheduledExecutorService limits = Executors.newSingleThreadScheduledExecutor(daemon("lnm-probe-limit"));
        List<Outcome> done = new ArrayList<>(targets.size());
        try {
            List<Future<Outcome>> futures = new ArrayList<>(targets.size());
            for (Target t : targets) {
                futures.add(t.decided() != null ? null : workers.submit(() -> probe(t, s, limits)));
            }
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                Outcome o = t.decided() != null ? t.decided() : await(futures.get(i), t, s);
                done.add(o);
                inOrder.accept(o);
            }
        } finally {
            workers.shutdownNow();
            limits.shutdownNow();
        }
        return done;
    }

    private static Outcome probe(Target t, Settings s, ScheduledExecutorService limits) {
        Probe p = new Probe(t.name(), t.route(), s);
        ScheduledFuture<?> limit = limits.schedule(p::expire, s.overallMillis(), TimeUnit.MILLISECONDS);
        try {
            return p.run();
        } finally {
            limit.cancel(false);
        }
    }

    /**
     * The outcome of a submitted probe. A probe ends by itself within its overall limit once it
     * has started; the wait here also covers its time in the queue (at most every probe before
     * it, a batch of {@code parallel} at a time), so it is bounded but never cuts a probe short.
     */
    private static Outcome await(Future<Outcome> f, Target t, Settings s) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(t.name(), t.route().kind().toString(), Outcome.Result.FAILED, Step.DNS, 0, "interrupted", null);
        } catch (ExecutionException e) {
            return new Outcome(t.name(), t.route().kind().toString(), Outcome.Result.FAILED, Step.DNS, 0,
                    "internal error: " + e.getCause(), null);
        }
    }

    /** The width of the NAME column for these targets. */
    public static int nameWidth(List<Target> targets) {
        return Math.min(MAX_WIDTH, targets.stream().mapToInt(t -> t.name().length()).max().orElse(1));
    }

    /** The width of the ROUTE column for these targets (an address that is longer still fits, unaligned). */
    public static int routeWidth(List<Target> targets) {
        int w = MIN_ROUTE_WIDTH;
        for (Target t : targets) {
            if (t.route() != null) {
                for (var h : t.route().hops()) {
                    w = Math.max(w, t.route().kind().toString().length() + 1 + h.toString().length());
                }
            }
        }
        return Math.min(MAX_WIDTH, w);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread th = new Thread(r, name);
            th.setDaemon(true);
            return th;
        };
    }
}
