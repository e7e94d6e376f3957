package lnm.floor;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A token bucket per client: {@code rate} events (DNS queries, side-port connections) a second,
 * bursts of {@code 2 x rate}. The caller keys it by source ({@link SourceKey}: an address, or an
 * IPv6 prefix).
 *
 * <p>Past its rate a client gets nothing: the DNS server cannot be used to amplify traffic at a
 * spoofed victim, and a side port's loop spends nothing on a flood. The table is bounded
 * ({@code maxClients}); buckets that have refilled completely carry no information and are swept
 * out, and when the table is still full a new client is limited rather than remembered.
 * Single-threaded: each user (the DNS server's loop, each side port's loop) has its own.
 */
public final class RateLimiter {
    private static final class Bucket {
        double tokens;
        long last;
    }

    private final int maxClients;
    private final Map<InetAddress, Bucket> buckets = new HashMap<>();

    public RateLimiter(int maxClients) {
        this.maxClients = maxClients;
    }

    /**
     * Takes one token from {@code client}'s bucket.
     *
     * @param rate queries per second; 0 means unlimited
     * @return false if the client is over its rate
     */
    public boolean allow(InetAddress client, int rate, long nowNanos) {
        if (rate <= 0) {
            return true;
        }
        double burst = 2.0 * rate;
        Bucket b = buckets.get(client);
        if (b == null) {
            if (buckets.size() >= maxClients) {
                sweep(rate, nowNanos);
                if (buckets.size() >= maxClients) {
                    return false;
                }
            }
            b = new Bucket();
            b.tokens = burst;
            b.last = nowNanos;
            buckets.put(client, b);
        } else {
            long elapsed = Math.max(0, nowNanos - b.last);
            b.tokens = Math.min(burst, b.tokens + elapsed * (rate / 1e9));
            b.last = nowNanos;
        }
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }

    /** Drops buckets that would be full by now: those clients are back to a clean slate anyway. */
    public void sweep(int rate, long nowNanos) {
        double burst = 2.0 * Math.max(1, rate);
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (rate <= 0 || b.tokens + Math.max(0, nowNanos - b.last) * (rate / 1e9) >= burst) {
                it.remove();
            }
        }
    }

    public int size() {
        return buckets.size();
    }
}
