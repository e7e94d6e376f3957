package lnm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The burst rules on a made-up clock: how many reloads a sequence of events gives, and when. */
class DebounceTest {
    @Test
    void aBurstOfHitsFiresOnceAfterTheLastGoesQuiet() {
        Debounce d = new Debounce(200, 5_000);
        int fired = 0;
        for (long t = 0; t <= 200; t += 50) { // five writes 50 ms apart
            d.hit(t);
            if (d.fire(t + 49)) {
                fired++;
            }
        }
        assertEquals(0, fired);
        assertFalse(d.fire(399));
        assertTrue(d.fire(400));
        assertFalse(d.fire(10_000), "fires once per burst");
        assertEquals(-1, d.waitMillis(10_000));
    }

    @Test
    void hitsThatNeverStopStillFireAtTheMaximumDelay() {
        Debounce d = new Debounce(200, 5_000);
        long t = 1_000;
        d.hit(t);
        for (int i = 0; i < 200 && !d.fire(t); i++) {
            t += 100;
            d.hit(t);
        }
        assertEquals(6_000, t);
    }

    @Test
    void theWaitIsWhatIsLeftAndAtLeastOne() {
        Debounce d = new Debounce(200, 5_000);
        assertEquals(-1, d.waitMillis(0));
        d.hit(100);
        assertEquals(150, d.waitMillis(150));
        assertEquals(1, d.waitMillis(400));
        assertTrue(d.pending());
    }
}
