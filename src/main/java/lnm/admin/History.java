package lnm.admin;

import java.util.ArrayList;
import java.util.List;

/**
 * The last few minutes of the appliance, one {@link Sample} per second, in a fixed ring: what
 * the status page draws its charts from. Totals are cumulative; the page takes differences.
 */
final class History {
    /**
     * One second's view.
     *
     * @param timeMillis when it was taken
     * @param active live connections
     * @param allowed connections ended with decision allow, since start
     * @param denied connections ended with decision deny, since start
     * @param bytesUp client-to-upstream bytes relayed since start, live connections included
     * @param bytesDown upstream-to-client bytes, likewise
     */
    record Sample(long timeMillis, int active, long allowed, long denied, long bytesUp, long bytesDown) {}

    private final Sample[] ring;
    private int next;
    private int size;

    History(int capacity) {
        this.ring = new Sample[capacity];
    }

    int capacity() {
        return ring.length;
    }

    synchronized void add(Sample s) {
        ring[next] = s;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** Oldest first. */
    synchronized List<Sample> all() {
        List<Sample> out = new ArrayList<>(size);
        int start = (next - size + ring.length) % ring.length;
        for (int i = 0; i < size; i++) {
            out.add(ring[(start + i) % ring.length]);
        }
        return out;
    }
}
