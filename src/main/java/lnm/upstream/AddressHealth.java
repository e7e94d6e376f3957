package lnm.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Passive health of the addresses a destination resolves to (a fixed target or a name with
 * several A/AAAA records). A connection that could not reach an address marks it down for a
 * while; {@link #order} then puts it after the others, so the next connections do not wait a
 * connect timeout on it first. Only addresses marked down are remembered, at most
 * {@link #MAX} of them (the oldest mark goes first). Thread-safe.
 */
public final class AddressHealth {
    static final int MAX = 4096;

    private final LongSupplier clock;
    private volatile long downMillis;
    /** How many addresses are remembered (marked now or lately); written under the lock. */
    private volatile int marked;
    /** Address -> when its mark ends; insertion order, so the eldest is dropped first. */
    private final Map<InetSocketAddress, Long> down = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Long> e) {
            return size() > MAX;
        }
    };

    /** @param clock milliseconds, monotonic; @param downMillis how long a failure counts */
    public AddressHealth(LongSupplier clock, long downMillis) {
        this.clock = clock;
        this.downMillis = downMillis;
    }

    /** The addresses to try in order: as resolved, those marked down moved to the end. */
    public List<InetAddress> order(List<InetAddress> resolved, int port) {
        if (marked == 0) {
            return resolved; // the common case, without the lock every connection would take
        }
        long now = clock.getAsLong();
        List<InetAddress> ok = new ArrayList<>(resolved.size());
        List<InetAddress> bad = new ArrayList<>();
        synchronized (down) {
            for (InetAddress a : resolved) {
                Long until = down.get(new InetSocketAddress(a, port));
                (until != null && now < until ? bad : ok).add(a);
            }
        }
        ok.addAll(bad);
        return ok;
    }

    /** How long a later failure counts ({@code parent.downSeconds}, after a reload). */
    public void setDownMillis(long downMillis) {
        this.downMillis = downMillis;
    }

    public void failed(InetSocketAddress a) {
        long until = clock.getAsLong() + downMillis;
        synchronized (down) {
            down.remove(a); // re-insert: the newest mark is dropped last
            down.put(a, until);
            marked = down.size();
        }
    }

    public void succeeded(InetSocketAddress a) {
        if (marked == 0) {
            return;
        }
        synchronized (down) {
            down.remove(a);
            marked = down.size();
        }
    }

    /** Addresses marked down now (for tests and the status page). */
    public int downCount() {
        long now = clock.getAsLong();
        synchronized (down) {
            return (int) down.values().stream().filter(u -> now < u).count();
        }
    }
}
