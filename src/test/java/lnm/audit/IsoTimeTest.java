package lnm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The audit's {@code time} is exactly {@link Instant#toString}, only cheaper. */
class IsoTimeTest {
    private static void same(long millis) {
        assertEquals(Instant.ofEpochMilli(millis).toString(), IsoTime.format(millis), "at " + millis);
    }

    @Test
    void edgesOfSecondsFractionsAndYears() {
        long[] edges = {0, 1, 10, 100, 120, 999, 1000, 1001, -1, -999, -1000, -1001, 1_796_054_733_000L, 1_796_054_733_120L,
            1_796_054_733_007L, 951_782_400_000L /* 2000-02-29 */, -62_167_219_200_000L, -62_167_219_200_001L,
            253_402_300_799_999L, 253_402_300_800_000L, Long.MAX_VALUE / 1000, Long.MIN_VALUE / 1000};
        for (long m : edges) {
            same(m);
            same(m); // the second cached by the call before
        }
    }

    @Test
    void randomInstantsAndRunsWithinOneSecond() {
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 20_000; i++) {
            long m = r.nextLong(-62_200_000_000_000L, 253_500_000_000_000L);
            same(m);
            same(m - Math.floorMod(m, 1000) + r.nextInt(1000));
        }
    }
}
