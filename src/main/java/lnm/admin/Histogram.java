package lnm.admin;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram with fixed bucket bounds, updated from many loop threads without locks.
 *
 * <p>Counts are kept per bucket (not cumulative) and summed when written, so {@code _count}
 * always equals the {@code +Inf} bucket in one exposition even while observations arrive.
 */
final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();

    /** @param bounds upper bounds, strictly increasing; {@code +Inf} is added */
    Histogram(double... bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must increase");
            }
        }
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void observe(double v) {
        int i = 0;
        while (i < bounds.length && v > bounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(v);
    }

    long count() {
        long n = 0;
        for (LongAdder c : counts) {
            n += c.sum();
        }
        return n;
    }

    /** Writes {@code name_bucket}, {@code name_sum} and {@code name_count} (the family line is the caller's). */
    void write(PromText out, String name) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i].sum();
            out.sample(name + "_bucket", cumulative, "le", PromText.number(bounds[i]));
        }
        cumulative += counts[bounds.length].sum();
        out.sample(name + "_bucket", cumulative, "le", "+Inf");
        out.sample(name + "_sum", sum.sum());
        out.sample(name + "_count", cumulative);
    }
}
