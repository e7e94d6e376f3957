package lnm.hardening;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one fuzz campaign on every core for a fixed time and reports what happened.
 *
 * <p>Each worker has its own random stream ({@code seed + worker}), so a failure names the worker
 * and iteration that reproduce it, along with the input in hex. A worker publishes the input it
 * is working on; if one input takes longer than {@link #HANG_NANOS} the campaign fails as a hang
 * with that input, instead of waiting for the test's overall timeout.
 */
final class FuzzRunner {
    static final long HANG_NANOS = 5_000_000_000L;
    /** How far past its budget a run may go to reach its floor before it counts as stuck. */
    static final long HARD_STOP_NANOS = 240_000_000_000L;

    /** One iteration: make an input, parse it, check it; returns the outcome index (0..n-1). */
    interface Case {
        int run(SplittableRandom rnd, Worker w);
    }

    /** Per-thread state; {@link #input} is what the iteration is working on (for reports). */
    static final class Worker {
        final int index;
        volatile byte[] input = new byte[0];
        volatile long startedAt;
        long iterations;
        long slowestNanos;
        long cpuNanos;
        final long[] outcomes = new long[4];

        Worker(int index) {
            this.index = index;
        }
    }

    record Result(String name, long iterations, long[] outcomes, long slowestNanos, long elapsedNanos, int threads, long cpuNanos) {
        long outcome(int i) {
            return outcomes[i];
        }

        @Override
        public String toString() {
            return String.format("%s: %,d inputs in %.1f s on %d threads (%,.0f/s; %.1f us of CPU each), outcomes %s, slowest %.2f ms",
                    name, iterations, elapsedNanos / 1e9, threads, iterations / (elapsedNanos / 1e9),
                    cpuNanos / 1e3 / Math.max(1, iterations), Arrays.toString(outcomes), slowestNanos / 1e6);
        }
    }

    private FuzzRunner() {}

    /**
     * Runs {@code c} on every core until {@code target} inputs are done or {@code budgetNanos}
     * has passed, whichever comes first, but never fewer than {@code min} inputs: on a busy
     * machine the budget stretches to reach that floor, so a floor is a count, not a speed.
     */
    static Result run(String name, long seed, long min, long target, long budgetNanos, Case c) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<Worker> workers = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        AtomicReference<AssertionError> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        long deadline = t0 + budgetNanos;
        long perWorker = (target + threads - 1) / threads;
        long minPerWorker = (min + threads - 1) / threads;
        for (int i = 0; i < threads; i++) {
            Worker w = new Worker(i);
            workers.add(w);
            SplittableRandom rnd = new SplittableRandom(seed + i);
            Thread t = new Thread(() -> {
                while (failure.get() == null && w.iterations < perWorker
                        && (w.iterations < minPerWorker || System.nanoTime() < deadline)) {
                    long s = System.nanoTime();
                    w.startedAt = s;
                    int outcome;
                    try {
                        outcome = c.run(rnd, w);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, new AssertionError(name + ": worker " + w.index + " (seed " + (seed + w.index)
                                + ") iteration " + w.iterations + " failed on input " + hex(w.input) + ": " + e, e));
                        return;
                    }
                    long took = System.nanoTime() - s;
                    w.slowestNanos = Math.max(w.slowestNanos, took);
                    w.outcomes[outcome]++;
                    w.iterations++;
                }
                w.startedAt = 0;
                w.cpuNanos = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            }, "fuzz-" + name + "-" + i);
            t.setDaemon(true); // a genuinely hung parser must not keep the test JVM alive
            ts.add(t);
            t.start();
        }
        while (ts.stream().anyMatch(Thread::isAlive)) {
            for (Worker w : workers) {
                long s = w.startedAt;
                if (s != 0 && System.nanoTime() - s > HANG_NANOS) {
                    throw new AssertionError(name + ": worker " + w.index + " hangs on input " + hex(w.input));
                }
            }
            if (System.nanoTime() > deadline + HARD_STOP_NANOS) {
                throw new AssertionError(name + ": workers did not stop");
            }
            sleep(20);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        long[] outcomes = new long[4];
        long iterations = 0;
        long slowest = 0;
        long cpu = 0;
        for (Worker w : workers) {
            cpu += w.cpuNanos;
            iterations += w.iterations;
            slowest = Math.max(slowest, w.slowestNanos);
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] += w.outcomes[i];
            }
        }
        return new Result(name, iterations, outcomes, slowest, System.nanoTime() - t0, threads, cpu);
    }

    static String hex(byte[] b) {
        return b.length > 4096 ? HexFormat.of().formatHex(b, 0, 4096) + "...(" + b.length + " bytes)" : HexFormat.of().formatHex(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
