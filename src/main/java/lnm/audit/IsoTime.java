package lnm.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * An audit record's {@code time}: exactly what {@link Instant#toString} gives for a millisecond
 * instant ({@code 2026-11-30T16:05:33.120Z}, no fraction when the milliseconds are 0), without
 * its date-time objects and formatter run per record. The date and time of day up to the
 * second are kept for the last second seen (every record of a busy second shares them); years
 * outside 0000-9999, which {@code Instant} writes differently, go to {@code Instant}. Safe from
 * any thread: the cached second is one immutable object.
 */
final class IsoTime {
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second last = new Second(Long.MIN_VALUE, "");
    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in epoch seconds. */
    private static final long MIN_SECOND = -62_167_219_200L;
    private static final long END_SECOND = 253_402_300_800L;

    private IsoTime() {
    }

    static String format(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        if (second < MIN_SECOND || second >= END_SECOND) {
            return Instant.ofEpochMilli(epochMillis).toString();
        }
        Second s = last;
        if (s.epochSecond != second) {
            s = new Second(second, secondText(second));
            last = s;
        }
        StringBuilder b = new StringBuilder(24).append(s.text);
        if (millis != 0) {
            b.append('.').append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10));
        }
        return b.append('Z').toString();
    }

    private static String secondText(long second) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(19);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        return pad(b, t.getSecond(), 2).toString();
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}
