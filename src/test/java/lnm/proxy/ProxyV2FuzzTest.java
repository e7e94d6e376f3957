package lnm.proxy;

import static lnm.proxy.Vectors.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import lnm.wire.ParseResult;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzz, about three seconds with a fixed seed: mutated headers never make the parser
 * throw or move the buffer, and its answers stay consistent with feed-what-you-have.
 */
class ProxyV2FuzzTest {

    private static final long SEED = 0x1A4D_2024L;
    private static final long BUDGET_NANOS = 3_000_000_000L;
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0C, 0x11, 0x12, 0x20, 0x21, 0x24,
        0x31, 0x7F, 0x80, 0xD8, 0xFF};

    @Test
    void mutatedHeadersNeverThrow() {
        List<byte[]> seeds = new ArrayList<>(valid());
        seeds.add(ProxyV2.encode(addr("10.2.0.15", 40001), addr("2001:db8::7", 443)));
        seeds.add(ProxyV2.encodeLocal());
        Random rnd = new Random(SEED);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int runs = 0;
        int[] outcomes = new int[3];
        while (System.nanoTime() < deadline) {
            byte[] v = seeds.get(rnd.nextInt(seeds.size())).clone();
            int mutations = 1 + rnd.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                v = mutate(v, rnd);
            }
            byte[] input = v;
            try {
                outcomes[check(input, rnd, runs % 32 == 0)]++;
            } catch (Throwable t) {
                fail("run " + runs + " on " + hex(input), t);
            }
            runs++;
        }
        System.out.println("fuzz: " + runs + " runs, NeedMore/Parsed/Invalid " + Arrays.toString(outcomes));
        assertTrue(runs > 10_000, "only " + runs + " runs");
        assertTrue(outcomes[0] > 0 && outcomes[1] > 0 && outcomes[2] > 0, "outcomes " + Arrays.toString(outcomes));
    }

    /** Parses once (and every prefix when {@code deep}); returns 0 NeedMore, 1 Parsed, 2 Invalid. */
    private static int check(byte[] v, Random rnd, boolean deep) {
        int offset = rnd.nextInt(4);
        ByteBuffer buf = rnd.nextBoolean() ? ByteBuffer.allocateDirect(offset + v.length + 2)
                : ByteBuffer.allocate(offset + v.length + 2);
        buf.order(rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        buf.position(offset);
        buf.put(v);
        buf.limit(offset + v.length).position(offset);
        ParseResult<ProxyHeader> r = ProxyV2.parse(rnd.nextBoolean() ? buf : buf.asReadOnlyBuffer());
        assertEquals(offset, buf.position());
        assertEquals(offset + v.length, buf.limit());
        if (r instanceof ParseResult.Parsed<ProxyHeader> p) {
            assertTrue(v.length >= 16);
            assertEquals(16 + ((v[14] & 0xff) << 8 | (v[15] & 0xff)), p.consumed());
            assertTrue(p.consumed() <= v.length);
            ProxyHeader h = p.value();
            assertEquals(h.source() == null, h.destination() == null);
            if (h.local()) {
                assertNull(h.source());
            }
            if (deep) {
                for (int n = 0; n < p.consumed(); n++) {
                    assertInstanceOf(ParseResult.NeedMore.class, parse(range(v, 0, n)), "prefix " + n);
                }
                assertEquals(h, ((ParseResult.Parsed<ProxyHeader>) parse(range(v, 0, p.consumed()))).value());
            }
            return 1;
        }
        if (r instanceof ParseResult.Invalid<ProxyHeader> i) {
            assertEquals(ProxyV2.INVALID, i.reason());
            assertNotNull(i.detail());
            if (deep) {
                for (int n = 0; n < v.length; n++) {
                    assertFalse(parse(range(v, 0, n)) instanceof ParseResult.Parsed, "prefix " + n + " parsed");
                }
                assertInstanceOf(ParseResult.Invalid.class, parse(cat(v, b(0, 0, 0))), "stays invalid");
            }
            return 2;
        }
        assertInstanceOf(ParseResult.NeedMore.class, r);
        return 0;
    }

    private static byte[] mutate(byte[] v, Random rnd) {
        int n = v.length;
        switch (rnd.nextInt(8)) {
            case 0 -> { // flip one bit
                if (n > 0) {
                    v[rnd.nextInt(n)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // one random byte, mostly past the signature, where it is interesting
                if (n > 0) {
                    v[n > 12 && rnd.nextInt(8) > 0 ? 12 + rnd.nextInt(n - 12) : rnd.nextInt(n)] = (byte) rnd.nextInt();
                }
            }
            case 2 -> { // a boundary value in the fixed header or after
                if (n > 12) {
                    v[12 + rnd.nextInt(n - 12)] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
                }
            }
            case 3 -> { // truncate
                return Arrays.copyOf(v, rnd.nextInt(n + 1));
            }
            case 4 -> { // append bytes, as the TLS record after the header would be
                byte[] tail = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(tail);
                return cat(v, tail);
            }
            case 5 -> { // lie about the length, often by a little
                if (n >= 16) {
                    int len = (v[14] & 0xff) << 8 | (v[15] & 0xff);
                    int lie = rnd.nextBoolean() ? len + rnd.nextInt(9) - 4 : rnd.nextInt(0x10000);
                    v[14] = (byte) (lie >>> 8);
                    v[15] = (byte) lie;
                }
            }
            case 6 -> { // splice a TLV with a random length and fix the header length to match
                if (n >= 16) {
                    int at = 16 + rnd.nextInt(n - 15);
                    byte[] tlv = b(rnd.nextInt(6), 0, rnd.nextInt(6), rnd.nextInt(), rnd.nextInt(), rnd.nextInt());
                    byte[] out = cat(range(v, 0, at), range(tlv, 0, 3 + rnd.nextInt(4)), range(v, at, n));
                    int len = out.length - 16;
                    out[14] = (byte) (len >>> 8);
                    out[15] = (byte) len;
                    return out;
                }
            }
            default -> { // delete a range
                if (n > 1) {
                    int from = rnd.nextInt(n);
                    int to = from + rnd.nextInt(n - from);
                    return cat(range(v, 0, from), range(v, to, n));
                }
            }
        }
        return v;
    }

    @Test
    void randomAddressesRoundTrip() {
        Random rnd = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            InetSocketAddress s = randomAddress(rnd);
            InetSocketAddress d = randomAddress(rnd);
            ProxyHeader h = parsed(ProxyV2.encode(s, d));
            assertEquals(s, h.source());
            assertEquals(d, h.destination());
        }
    }

    private static InetSocketAddress randomAddress(Random rnd) {
        byte[] ip = new byte[rnd.nextBoolean() ? 4 : 16];
        rnd.nextBytes(ip);
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(ip), rnd.nextInt(0x10000));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
