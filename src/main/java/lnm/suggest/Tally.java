package lnm.suggest;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The names asked for, each with what was {@link Seen}, in a table of at most
 * {@link Limits#maxNames} names: a record for a name past that is dropped and counted, so the
 * table's size does not follow the audit's. Addresses are shared between names through a
 * bounded pool (a plant has few devices asking for many names).
 */
final class Tally {
    private static final int POOL = 10_000;

    private final Limits limits;
    private final Map<String, Seen> names = new HashMap<>();
    private final Map<String, String> pool = new HashMap<>();
    private long dropped;

    Tally(Limits limits) {
        this.limits = limits;
    }

    /**
     * Counts a connection for {@code name} (normalized) from {@code from} at {@code millis}.
     *
     * @return false if the table is full and the record was dropped
     */
    boolean add(String name, String from, long millis, long count) {
        Seen s = names.get(name);
        if (s == null) {
            if (names.size() >= limits.maxNames()) {
                dropped++;
                return false;
            }
            s = new Seen();
            names.put(name, s);
        }
        String shared = pool.get(from);
        if (shared == null) {
            shared = from;
            if (pool.size() < POOL) {
                pool.put(from, from);
            }
        }
        s.add(shared, millis, count, limits.tracked());
        return true;
    }

    /** The names, sorted. */
    TreeMap<String, Seen> names() {
        return new TreeMap<>(names);
    }

    /** Records dropped because the table was full. */
    long dropped() {
        return dropped;
    }
}
