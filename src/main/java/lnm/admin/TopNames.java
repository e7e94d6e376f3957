package lnm.admin;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import lnm.config.IpLiteral;

/**
 * The most frequent names in an unbounded stream, in bounded memory (the Space-Saving
 * algorithm of Metwally, Agrawal and El Abbadi).
 *
 * <p>Denied names come from clients, so an agent cycling through random names must not grow
 * memory: at most {@code capacity} names are tracked. A new name arriving when full replaces
 * the least counted one and inherits its count as a possible overestimate ({@link Entry#error}),
 * which the status page marks. Any name seen more than {@code total / capacity} times is
 * guaranteed to be in the table.
 */
final class TopNames {
    /** One tracked name; {@code count - error} is a lower bound of its true count. */
    record Entry(String name, long count, long error, String lastReason, String lastClient, String lastListener,
            long lastSeenMillis) {}

    private static final class Slot {
        final String name;
        long count;
        long error;
        String reason;
        InetSocketAddress client;
        String listener;
        long seen;

        Slot(String name, long count) {
            this.name = name;
            this.count = count;
            this.error = count;
        }
    }

    private final int capacity;
    private final Map<String, Slot> slots = new HashMap<>();

    TopNames(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity");
        }
        this.capacity = capacity;
    }

    /**
     * Counts one occurrence; quick (a scan of the table only when a new name evicts).
     *
     * @param client the client (its trusted origin, if any), written as text only by {@link #top}
     */
    synchronized void add(String name, String reason, InetSocketAddress client, String listener, long now) {
        Slot s = slots.get(name);
        if (s == null) {
            long inherited = 0;
            if (slots.size() >= capacity) {
                Slot min = null;
                for (Slot o : slots.values()) {
                    if (min == null || o.count < min.count) {
                        min = o;
                    }
                }
                slots.remove(min.name);
                inherited = min.count;
            }
            s = new Slot(name, inherited);
            slots.put(name, s);
        }
        s.count++;
        s.reason = reason;
        s.client = client;
        s.listener = listener;
        s.seen = now;
    }

    /** The {@code n} most counted, most first; ties by most recently seen. */
    synchronized List<Entry> top(int n) {
        List<Entry> all = new ArrayList<>(slots.size());
        for (Slot s : slots.values()) {
            all.add(new Entry(s.name, s.count, s.error, s.reason, IpLiteral.format(s.client), s.listener, s.seen));
        }
        all.sort(Comparator.comparingLong(Entry::count).reversed()
                .thenComparing(Comparator.comparingLong(Entry::lastSeenMillis).reversed())
                .thenComparing(Entry::name));
        return all.size() > n ? List.copyOf(all.subList(0, n)) : all;
    }
}
