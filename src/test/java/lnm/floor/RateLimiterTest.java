package lnm.floor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final long S = 1_000_000_000L;
    static final InetAddress A = ip("10.2.0.7");
    static final InetAddress B = ip("10.2.0.8");

    @Test
    void burstOfTwiceTheRateThenTheRate() {
        RateLimiter r = new RateLimiter(100);
        long t = 5 * S;
        for (int i = 0; i < 20; i++) {
            assertTrue(r.allow(A, 10, t), "burst " + i);
        }
        assertFalse(r.allow(A, 10, t));
        assertTrue(r.allow(B, 10, t), "buckets are per client");
        assertFalse(r.allow(A, 10, t + S / 20), "half a token after 50 ms");
        assertTrue(r.allow(A, 10, t + S / 10), "one token after 100 ms");
        assertFalse(r.allow(A, 10, t + S / 10));
        // A long pause refills to the burst, not beyond.
        t += 100 * S;
        int allowed = 0;
        for (int i = 0; i < 50; i++) {
            allowed += r.allow(A, 10, t) ? 1 : 0;
        }
        assertEquals(20, allowed);
    }

    @Test
    void zeroMeansUnlimited() {
        RateLimiter r = new RateLimiter(1);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(r.allow(A, 0, 0));
        }
        assertEquals(0, r.size());
    }

    @Test
    void tableIsBoundedAndSweptOfFullBuckets() {
        RateLimiter r = new RateLimiter(2);
        assertTrue(r.allow(A, 1, 0));
        assertTrue(r.allow(B, 1, 0));
        InetAddress c = ip("10.2.0.9");
        assertFalse(r.allow(c, 1, 0), "table full and nobody is idle: the newcomer is limited");
        assertTrue(r.allow(c, 1, 10 * S), "later, full buckets are swept and the newcomer fits");
        assertEquals(1, r.size());
    }
}
