package lnm.fleet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pulls the top refused because the box is not enrolled or the signature does not verify:
 * how many since start, and the most recent {@link #MAX} distinct (name, from) pairs with a
 * count each, the least recently seen evicted. Everything kept is truncated, so whatever is
 * sent in a refused pull, this table stays small; nothing else about such a pull is kept.
 */
public final class Unenrolled {
    /** Distinct (name, from) pairs kept. */
    public static final int MAX = 64;
    private static final int MAX_NAME = 63;
    private static final int MAX_FROM = 200;
    private static final int MAX_REASON = 200;

    /**
     * One name from one place.
     *
     * @param name   the box name the pull gave (truncated)
     * @param from   the address it came from and the relays it named
     * @param reason why the last such pull was refused
     */
    public record Entry(String name, String from, String reason, long count, long lastMillis) {}

    private final Map<String, Entry> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX;
        }
    };
    private long total;

    /** Counts one refused pull. */
    synchronized void note(String name, String from, String reason, long now) {
        total++;
        String n = cut(name, MAX_NAME);
        String f = cut(from, MAX_FROM);
        String k = n + "\n" + f;
        Entry e = recent.get(k);
        recent.put(k, new Entry(n, f, cut(reason, MAX_REASON), e == null ? 1 : e.count() + 1, now));
    }

    /** Refused pulls since start. */
    public synchronized long total() {
        return total;
    }

    /** The kept entries, most recently seen first. */
    public synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>(recent.values());
        Collections.reverse(out);
        return out;
    }

    private static String cut(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "..." : s;
    }
}
