package lnm.dns;

import lnm.config.ForwardZones;
import lnm.config.IpLiteral;
import lnm.testing.Hex;
import lnm.wire.ParseResult.Invalid;
import lnm.wire.ParseResult.Parsed;
import lnm.wire.ParseResult;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of real queries and a compressed response: bit flips, truncation, inserted
 * and deleted bytes, counts and lengths that lie, and pointers aimed anywhere. Bounded in time
 * with a fixed seed, so a failure reproduces (the input is printed as hex). Whatever parses is
 * also run through the responder and the TCP framing, which must not throw either.
 */
class DnsFuzzTest {
    private static final long SEED = 0x444e53_2024L;
    private static final int MIN_ITERATIONS = 5_000;
    private static final long BUDGET_NANOS = 3_000_000_000L;
    private static final int MAX_ITERATIONS = 400_000;

    private static final List<byte[]> SEEDS = List.of(Vectors.DIG_A, Vectors.DIG_AAAA_NOEDNS, Vectors.DIG_DNSSEC,
            Vectors.JDK_A, Vectors.RESPONSE_COMPRESSED,
            DnsWriter.answer(DnsParserTest.parsed(Vectors.DIG_A), 0, true,
                    List.of(IpLiteral.address("10.0.0.1"), IpLiteral.address("fd00::1")), 60, 1232));

    @Test
    void mutatedMessagesNeverThrow() {
        Random rnd = new Random(SEED);
        int[] outcomes = new int[2];
        Responder.Policy[] policies = {ResponderTest.OWN,
                new Responder.Policy(ResponderTest.ALLOW, List.of(IpLiteral.address("10.4.0.1")), List.of(), 1,
                        ForwardZones.parse("org, example"))};
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int i = 0;
        for (; i < MIN_ITERATIONS || (i < MAX_ITERATIONS && System.nanoTime() < deadline); i++) {
            byte[] input = mutate(SEEDS.get(rnd.nextInt(SEEDS.size())), rnd);
            try {
                ByteBuffer buf = ByteBuffer.wrap(input).asReadOnlyBuffer();
                ParseResult<DnsMessage> r = DnsParser.parse(buf);
                assertEquals(0, buf.position());
                assertEquals(input.length, buf.limit());
                if (r instanceof Parsed<DnsMessage> p) {
                    outcomes[0]++;
                    assertEquals(input.length, p.consumed());
                    for (DnsMessage.Question q : p.value().questions()) {
                        assertTrue(q.name().wireLength() <= 255);
                    }
                    Responder.Outcome o = Responder.decide(p.value(), policies[i & 1], ResponderTest.LOCAL,
                            rnd.nextBoolean() ? 512 : 65535);
                    if (o.response() != null) {
                        // What we send must itself parse.
                        assertTrue(DnsParser.parse(ByteBuffer.wrap(o.response())) instanceof Parsed, () -> Hex.of(o.response()));
                    }
                } else {
                    outcomes[1]++;
                    assertEquals(DnsParser.MALFORMED, ((Invalid<DnsMessage>) r).reason());
                    DnsWriter.formatError(buf);
                }
                byte[] framed = new byte[input.length + 2];
                framed[0] = (byte) (input.length >>> 8);
                framed[1] = (byte) input.length;
                System.arraycopy(input, 0, framed, 2, input.length);
                DnsParser.frame(ByteBuffer.wrap(framed, 0, rnd.nextInt(framed.length + 1)), 4096);
                DnsParser.frame(ByteBuffer.wrap(input), 4096);
            } catch (Throwable t) {
                fail("iteration " + i + ", input " + Hex.of(input), t);
            }
        }
        System.out.println("dns fuzz: " + i + " inputs, Parsed/Invalid " + Arrays.toString(outcomes));
        assertTrue(outcomes[0] > i / 50 && outcomes[1] > i / 50, "Parsed/Invalid " + Arrays.toString(outcomes));
    }

    @Test
    void randomBytesNeverThrow() {
        Random rnd = new Random(SEED + 1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(80)];
            rnd.nextBytes(b);
            if (b.length > 5 && rnd.nextBoolean()) {
                b[4] = 0;
                b[5] = (byte) rnd.nextInt(3); // plausible counts
            }
            try {
                DnsParser.parse(ByteBuffer.wrap(b));
            } catch (Throwable t) {
                fail("input " + Hex.of(b), t);
            }
        }
    }

    static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
            switch (rnd.nextInt(8)) {
                case 0 -> { // bit flip
                    if (b.length > 0) {
                        int at = rnd.nextInt(b.length);
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncate
                case 2 -> { // insert
                    int at = rnd.nextInt(b.length + 1);
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) rnd.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 3 -> { // delete
                    if (b.length > 0) {
                        int at = rnd.nextInt(b.length);
                        byte[] c = new byte[b.length - 1];
                        System.arraycopy(b, 0, c, 0, at);
                        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                        b = c;
                    }
                }
                case 4 -> { // a count that lies
                    if (b.length >= 12) {
                        int field = 4 + 2 * rnd.nextInt(4);
                        int v = rnd.nextBoolean() ? rnd.nextInt(4) : rnd.nextInt(0x10000);
                        b[field] = (byte) (v >>> 8);
                        b[field + 1] = (byte) v;
                    }
                }
                case 5 -> { // a compression pointer to anywhere
                    if (b.length >= 14) {
                        int at = 12 + rnd.nextInt(b.length - 13);
                        int target = rnd.nextBoolean() ? rnd.nextInt(b.length + 4) : rnd.nextInt(0x4000);
                        b[at] = (byte) (0xc0 | (target >>> 8));
                        b[at + 1] = (byte) target;
                    }
                }
                case 6 -> { // a label length that lies
                    if (b.length > 12) {
                        b[12 + rnd.nextInt(b.length - 12)] = (byte) rnd.nextInt(64);
                    }
                }
                default -> { // flip header flags (QR, opcode) and keep the rest
                    if (b.length >= 4) {
                        b[2] = (byte) rnd.nextInt(256);
                    }
                }
            }
        }
        return b;
    }
}
