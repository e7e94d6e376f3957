package lnm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lnm.wire.ParseResult;

/**
 * Bounded fuzz (about 3 s, fixed seed, so a failure replays): mutated real heads and random
 * bytes must never throw, never report more than they were given, never move the buffer, and
 * give the same answer for a prefix-closed stream no matter how it is split, whole or fed in
 * pieces with the parse resumed.
 */
class HttpFuzzTest {
    static final List<String> SEEDS = List.of(
            "CONNECT allowed.example:443 HTTP/1.1\r\nHost: allowed.example:443\r\nUser-Agent: curl/7.88.1\r\n\r\n",
            "GET http://plain.example/a?b=c HTTP/1.1\r\nHost: plain.example\r\nAccept: */*\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: a.example:8080\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\n",
            "PUT /y HTTP/1.0\r\nHost: [::1]\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: b\r\n\r\n");
    static final byte[] INTERESTING = " \t\r\n:;,0123456789abcdefABCDEF/[]@.-_\u0000\u007f\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void mutatedHeadsNeverBreakTheContract() {
        Random rnd = new Random(0x1a2b3c);
        long end = System.nanoTime() + 3_000_000_000L;
        int rounds = 0;
        HttpLimits small = new HttpLimits(256, 8, 16);
        while (System.nanoTime() < end && rounds < 2_000_000) {
            rounds++;
            byte[] b = mutate(rnd, SEEDS.get(rnd.nextInt(SEEDS.size())).getBytes(StandardCharsets.ISO_8859_1));
            HttpLimits lim = rnd.nextInt(4) == 0 ? small : HttpLimits.DEFAULT;
            int off = rnd.nextInt(3);
            byte[] padded = new byte[b.length + off];
            System.arraycopy(b, 0, padded, off, b.length);
            ByteBuffer in = ByteBuffer.wrap(padded).position(off).asReadOnlyBuffer();
            ParseResult<RequestHead> r;
            try {
                r = HttpHeadParser.parse(in, lim);
            } catch (RuntimeException e) {
                fail("threw on " + show(b), e);
                return;
            }
            assertEquals(off, in.position());
            ParseResult<RequestHead> fed = HttpHeadResumeTest.fed(b, lim, 1 + rnd.nextInt(16));
            assertEquals(r, fed, () -> "fed in pieces, " + show(b));
            if (r instanceof ParseResult.Parsed<RequestHead> ok) {
                assertTrue(ok.consumed() > 0 && ok.consumed() <= b.length && ok.consumed() <= lim.maxHeadBytes(), () -> show(b));
                // A head that parses, parses the same from any longer input and is NeedMore from every shorter one.
                int cut = rnd.nextInt(ok.consumed());
                ParseResult<RequestHead> partial = HttpHeadParser.parse(ByteBuffer.wrap(b, 0, cut).asReadOnlyBuffer(), lim);
                assertTrue(partial instanceof ParseResult.NeedMore, () -> "prefix of a good head not NeedMore: "
                        + show(b) + " at " + cut + " " + partial);
            }
            framerNeverThrows(b, lim);
        }
        assertTrue(rounds > 1000, "only " + rounds + " rounds");
        System.out.println("HttpFuzzTest: " + rounds + " mutated heads");
    }

    private static void framerNeverThrows(byte[] b, HttpLimits lim) {
        RequestFramer f = new RequestFramer(lim);
        int done = 0;
        for (int guard = 0; guard <= b.length + 1 && done < b.length; guard++) {
            RequestFramer.Step s;
            try {
                s = f.next(ByteBuffer.wrap(b, done, b.length - done).slice().asReadOnlyBuffer());
            } catch (RuntimeException e) {
                fail("framer threw on " + show(b), e);
                return;
            }
            if (s instanceof RequestFramer.Pass p) {
                assertTrue(p.bytes() > 0 && done + p.bytes() <= b.length, () -> show(b));
                done += p.bytes();
            } else if (s instanceof RequestFramer.Head h) {
                assertTrue(h.head().length() > 0 && done + h.head().length() <= b.length, () -> show(b));
                f.accept(h.head());
                done += h.head().length();
            } else {
                return;
            }
        }
        assertTrue(done >= b.length, () -> "framer looped without progress on " + show(b));
    }

    private static byte[] mutate(Random rnd, byte[] seed) {
        byte[] b = seed.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(5)) {
                case 0 -> b[at] = (byte) rnd.nextInt(256);
                case 1 -> b[at] = INTERESTING[rnd.nextInt(INTERESTING.length)];
                case 2 -> { // delete a byte
                    byte[] c = new byte[Math.max(1, b.length - 1)];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, Math.min(at + 1, b.length), c, at, Math.max(0, b.length - at - 1));
                    b = c;
                }
                case 3 -> { // duplicate a slice (repeated headers, repeated CRLFs)
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(40));
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
                default -> { // truncate
                    b = java.util.Arrays.copyOf(b, Math.max(1, at));
                }
            }
        }
        return b;
    }

    private static String show(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.toString();
    }
}
