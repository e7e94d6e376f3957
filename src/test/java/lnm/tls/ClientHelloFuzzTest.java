package lnm.tls;

import lnm.testing.Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Invalid;
import lnm.wire.ParseResult.NeedMore;
import lnm.wire.ParseResult.Parsed;
import org.junit.jupiter.api.Test;
import lnm.wire.Fault;

/**
 * Mutation fuzzing of real hellos: bit flips, truncations, inserted and deleted bytes, and
 * lies told by the length fields themselves. Bounded in time, with a fixed seed so that a
 * failure reproduces (the failing input is printed as hex).
 */
class ClientHelloFuzzTest {
    private static final long SEED = 0x4c4e4d_2024L;
    /** Always run this many, so the outcome checks below see the same inputs on a slow box. */
    private static final int MIN_ITERATIONS = 2_000;
    private static final long BUDGET_NANOS = 3_000_000_000L;
    private static final int MAX_ITERATIONS = 150_000;
    private static final Set<Fault> REASONS =
            Set.of(ClientHelloParser.MALFORMED, ClientHelloParser.TOO_LARGE, ClientHelloParser.INVALID_SNI);

    /** A seed hello and the offsets of its length fields (empty when it is multi-record). */
    private record Seed(byte[] bytes, int[] lengthFields) {}

    @Test
    void mutatedHellosNeverThrowNorInventNames() {
        List<Seed> seeds = List.of(
                single(Hellos.jdkTls13()),
                single(Hellos.jdkTls12()),
                single(Hellos.jdkNoSni()),
                single(Hellos.records(Hellos.chromiumLike())),
                single(HelloVectorsTest.MINIMAL_SNI),
                new Seed(Hellos.frame(Hellos.message(Hellos.jdkTls13()), 1, 3, 40, 2, 500), new int[0]),
                new Seed(Hellos.records(Hellos.largePskHello(17_000)), new int[0]));
        Random rnd = new Random(SEED);
        int[] outcomes = new int[3];
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int i = 0;
        for (; i < MIN_ITERATIONS || (i < MAX_ITERATIONS && System.nanoTime() < deadline); i++) {
            Seed seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] input = mutate(seed, rnd);
            try {
                outcomes[check(input, rnd)]++;
            } catch (Throwable t) {
                fail("iteration " + i + ", input " + Hex.of(input), t);
            }
        }
        System.out.println("fuzz: " + i + " inputs, NeedMore/Parsed/Invalid " + Arrays.toString(outcomes));
        // The mutator must reach every outcome, or the test proves little.
        for (int o = 0; o < 3; o++) {
            assertTrue(outcomes[o] > i / 100, "outcomes NeedMore/Parsed/Invalid: " + Arrays.toString(outcomes));
        }
    }

    /** Parses the input whole and at one random prefix; returns 0 NeedMore, 1 Parsed, 2 Invalid. */
    private static int check(byte[] input, Random rnd) {
        ByteBuffer buf = ByteBuffer.wrap(input);
        ParseResult<ClientHello> r = ClientHelloParser.parse(buf, ClientHelloParser.DEFAULT_MAX_HELLO);
        assertEquals(0, buf.position());
        assertEquals(input.length, buf.limit());
        assertEquals(r, ClientHelloParser.parse(ByteBuffer.wrap(input), ClientHelloParser.DEFAULT_MAX_HELLO));
        int k = input.length == 0 ? 0 : rnd.nextInt(input.length);
        ParseResult<ClientHello> prefix = Feed.prefix(input, k, ClientHelloParser.DEFAULT_MAX_HELLO);
        if (r instanceof Parsed<ClientHello> p) {
            assertTrue(p.consumed() > 0 && p.consumed() <= input.length, "consumed " + p.consumed());
            ClientHello h = p.value();
            assertNotNull(h.tlsVersion());
            if (h.sni() != null) {
                assertTrue(BufferContractTest.containsIgnoreCase(input, h.sni()), "invented name " + h.sni());
                assertNull(HostNames.problem(h.sni().getBytes(StandardCharsets.ISO_8859_1)), h.sni());
                assertEquals(h.sni().toLowerCase(Locale.ROOT), h.sni());
            }
            for (String proto : h.alpn()) {
                assertTrue(contains(input, proto.getBytes(StandardCharsets.ISO_8859_1)), "invented ALPN " + proto);
            }
            assertEquals(k < p.consumed() ? ParseResult.needMore() : r, prefix, "prefix " + k);
            return 1;
        }
        if (r instanceof Invalid<ClientHello> inv) {
            assertTrue(REASONS.contains(inv.reason()), inv.reason().name());
            assertNotNull(inv.detail());
            assertTrue(prefix instanceof NeedMore<ClientHello> || prefix.equals(r), "prefix " + k + ": " + prefix);
            return 2;
        }
        assertEquals(ParseResult.needMore(), prefix, "prefix " + k + " of an incomplete input");
        return 0;
    }

    private static byte[] mutate(Seed seed, Random rnd) {
        byte[] b = seed.bytes().clone();
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            switch (rnd.nextInt(seed.lengthFields().length > 0 ? 6 : 5)) {
                case 0 -> { // flip one bit
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncate
                case 2 -> { // overwrite a 16-bit value anywhere, often a nearby length
                    int at = rnd.nextInt(Math.max(1, b.length - 1));
                    if (at + 1 < b.length) {
                        int v = ((b[at] & 0xff) << 8 | (b[at + 1] & 0xff)) + rnd.nextInt(5) - 2;
                        b[at] = (byte) (v >> 8);
                        b[at + 1] = (byte) v;
                    }
                }
                case 3 -> { // insert random bytes
                    int at = rnd.nextInt(b.length + 1);
                    byte[] extra = new byte[1 + rnd.nextInt(4)];
                    rnd.nextBytes(extra);
                    b = Hellos.cat(Arrays.copyOf(b, at), extra, Arrays.copyOfRange(b, at, b.length));
                }
                case 4 -> { // delete a few bytes
                    if (b.length > 0) {
                        int at = rnd.nextInt(b.length);
                        int n = Math.min(b.length - at, 1 + rnd.nextInt(4));
                        b = Hellos.cat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + n, b.length));
                    }
                }
                default -> { // make one length field lie by a little or a lot
                    int at = seed.lengthFields()[rnd.nextInt(seed.lengthFields().length)];
                    if (at + 1 < b.length) {
                        int v = ((b[at] & 0xff) << 8 | (b[at + 1] & 0xff));
                        v = rnd.nextBoolean() ? v + rnd.nextInt(7) - 3 : rnd.nextInt(1 << 16);
                        b[at] = (byte) (v >> 8);
                        b[at + 1] = (byte) v;
                    }
                }
            }
            if (b.length == 0) {
                break;
            }
        }
        return b;
    }

    /** A single-record seed with the offsets of its 16-bit length fields, found by walking it. */
    private static Seed single(byte[] hello) {
        List<Integer> at = new ArrayList<>();
        at.add(3);                                   // record length
        at.add(7);                                   // low 16 bits of the handshake length
        int pos = 5 + 4 + 2 + 32;
        pos += 1 + (hello[pos] & 0xff);              // session_id
        at.add(pos);                                 // cipher_suites length
        pos += 2 + u16(hello, pos);
        pos += 1 + (hello[pos] & 0xff);              // compression_methods
        if (pos < hello.length) {
            at.add(pos);                             // extensions length
            int end = pos + 2 + u16(hello, pos);
            pos += 2;
            while (pos < end) {
                int type = u16(hello, pos);
                at.add(pos + 2);                     // extension length
                if (type == 0 || type == 16) {
                    at.add(pos + 4);                 // server_name / ALPN list length
                }
                if (type == 0) {
                    at.add(pos + 7);                 // host_name length
                }
                pos += 4 + u16(hello, pos + 2);
            }
        }
        return new Seed(hello, at.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
