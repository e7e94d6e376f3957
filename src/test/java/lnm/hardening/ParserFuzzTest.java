package lnm.hardening;

import static lnm.hardening.HelloBuilder.cat;
import static lnm.hardening.HelloBuilder.vec2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lnm.proxy.ProxyHeader;
import lnm.proxy.ProxyV2;
import lnm.proxy.Tlv;
import lnm.testing.Hellos;
import lnm.tls.ClientHello;
import lnm.tls.ClientHelloParser;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Invalid;
import lnm.wire.ParseResult.NeedMore;
import lnm.wire.ParseResult.Parsed;
import lnm.wire.Fault;

/**
 * Millions of hostile inputs through every wire parser lnm has: each campaign stops at its
 * count (9.7 million in all, about 20 s on an idle two-core box) or at its time cap (31 s in
 * all) on a busy one, and prints what it did. For each input: no exception escapes, no single
 * parse takes long (a hang fails at once with the input), the caller's buffer is left as it
 * was, the answer agrees with feeding the same bytes in parts, and a name the parser reports
 * was really in the input (as a length-prefixed host_name), and is a valid DNS name.
 *
 * <ul>
 *   <li>{@code mutatedHellos}: real JDK hellos and built ones, with bit flips, truncations,
 *       length fields that lie, inserted, deleted and duplicated bytes, extensions duplicated or
 *       reordered with the enclosing lengths fixed up (so the parser sees a well-framed hello
 *       and must catch the duplicate itself), re-framing over many records.</li>
 *   <li>{@code modelledHellos}: hellos generated from a model (extension list, server_name
 *       entries, host names good and bad, record cuts) whose right answer is computed
 *       independently: duplicates, several host names, non-ASCII or invalid labels and IP
 *       literals must be refused with the right reason, reordering must not change the answer.</li>
 *   <li>{@code randomBytes}: noise, and noise behind a plausible TLS or SSLv2 header.</li>
 *   <li>{@code proxyV2}: mutated and random PROXY v2 headers; what it reports (addresses,
 *       TLVs) must be exactly the bytes of the input.</li>
 * </ul>
 * lnm has no DNS or HTTP parser yet; add a campaign here when one lands.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ParserFuzzTest {
    private static final long SEED = 0x6c6e6d_0006L;
    private static final int MAX = ClientHelloParser.DEFAULT_MAX_HELLO;
    private static final Set<Fault> HELLO_REASONS =
            Set.of(ClientHelloParser.MALFORMED, ClientHelloParser.TOO_LARGE, ClientHelloParser.INVALID_SNI);
    private static final long SECOND = 1_000_000_000L;
    private static final List<FuzzRunner.Result> RESULTS = Collections.synchronizedList(new ArrayList<>());

    @AfterAll
    static void summary() {
        long total = 0;
        for (FuzzRunner.Result r : RESULTS) {
            System.out.println("fuzz " + r);
            total += r.iterations();
        }
        System.out.printf("fuzz total: %,d inputs%n", total);
    }

    // ==== ClientHello: mutations of real and built hellos ======================================

    /** A well-formed single-record hello, its length fields, and its extensions cut out. */
    record Seed(String name, byte[] bytes, int[][] lengthFields, byte[] fixed, List<byte[]> exts) {}

    private static final List<Seed> SEEDS = seeds();

    private static List<Seed> seeds() {
        List<Seed> s = new ArrayList<>();
        s.add(seed("jdk-tls13", Hellos.clientHello("management.azure.com", "h2", "http/1.1")));
        s.add(seed("jdk-nosni", Hellos.clientHello(null)));
        s.add(seed("minimal", new HelloBuilder().ext(HelloBuilder.sni("a.example")).build()));
        s.add(seed("tls12-no-ext", new HelloBuilder().sessionId(new byte[0]).noExtensionsBlock().build()));
        s.add(seed("chromium-like", new HelloBuilder()
                .ext(0x0a0a, new byte[0])
                .ext(HelloBuilder.sni("Edge.Example.COM."))
                .ext(23, new byte[0])
                .ext(0xff01, new byte[] {0})
                .ext(10, vec2(HelloBuilder.u16s(0x1a1a, 29, 23, 24)))
                .ext(11, new byte[] {1, 0})
                .ext(35, new byte[0])
                .ext(HelloBuilder.alpn("h2", "http/1.1"))
                .ext(5, new byte[] {1, 0, 0, 0, 0})
                .ext(13, vec2(HelloBuilder.u16s(0x0403, 0x0804, 0x0401)))
                .ext(18, new byte[0])
                .ext(51, vec2(cat(HelloBuilder.u16s(29, 32), new byte[32])))
                .ext(45, new byte[] {1, 1})
                .ext(HelloBuilder.supportedVersions(0x2a2a, 0x0304, 0x0303))
                .ext(27, new byte[] {2, 0, 2})
                .ext(0x4469, vec2(new byte[] {2, 'h', '2'}))
                .ext(0x3a3a, new byte[] {0})
                .ext(21, new byte[100])
                .build()));
        s.add(seed("sni-with-other-name-types", new HelloBuilder()
                .ext(HelloBuilder.sniEntries(HelloBuilder.entry(7, "x".getBytes(StandardCharsets.US_ASCII)),
                        HelloBuilder.entry(0, "svc_1.plant-a.example".getBytes(StandardCharsets.US_ASCII)),
                        HelloBuilder.entry(255, new byte[3])))
                .build()));
        s.add(seed("psk-4k", new HelloBuilder().ext(HelloBuilder.sni("big.example"))
                .ext(HelloBuilder.supportedVersions(0x0304)).ext(41, new byte[4000]).build()));
        // Seeds one mutation away from a refusal, so refusals get explored from both sides.
        s.add(seed("two-host-names", new HelloBuilder().ext(HelloBuilder.sniEntries(
                HelloBuilder.entry(0, "a.example".getBytes(StandardCharsets.US_ASCII)),
                HelloBuilder.entry(0, "b.example".getBytes(StandardCharsets.US_ASCII)))).build()));
        s.add(seed("ip-literal", new HelloBuilder().ext(HelloBuilder.sni("10.0.0.1")).build()));
        return s;
    }

    private static Seed seed(String name, byte[] hello) {
        List<int[]> fields = new ArrayList<>();
        fields.add(new int[] {3, 2});                 // record length
        fields.add(new int[] {6, 3});                 // handshake length
        int pos = 9 + 2 + 32;
        fields.add(new int[] {pos, 1});               // session_id
        pos += 1 + (hello[pos] & 0xff);
        fields.add(new int[] {pos, 2});               // cipher_suites
        pos += 2 + be16(hello, pos);
        fields.add(new int[] {pos, 1});               // compression_methods
        pos += 1 + (hello[pos] & 0xff);
        byte[] fixed = Arrays.copyOfRange(hello, 9, pos);
        List<byte[]> exts = null;
        if (pos < hello.length) {
            exts = new ArrayList<>();
            fields.add(new int[] {pos, 2});           // extensions block
            int end = pos + 2 + be16(hello, pos);
            pos += 2;
            while (pos < end) {
                int type = be16(hello, pos);
                int len = be16(hello, pos + 2);
                fields.add(new int[] {pos + 2, 2});
                if (type == HelloBuilder.EXT_SERVER_NAME || type == HelloBuilder.EXT_ALPN) {
                    fields.add(new int[] {pos + 4, 2});
                }
                if (type == HelloBuilder.EXT_SERVER_NAME) {
                    for (int e = pos + 6; e + 3 <= pos + 4 + len; e += 3 + be16(hello, e + 1)) {
                        fields.add(new int[] {e + 1, 2});
                    }
                }
                if (type == HelloBuilder.EXT_ALPN) {
                    for (int e = pos + 6; e < pos + 4 + len; e += 1 + (hello[e] & 0xff)) {
                        fields.add(new int[] {e, 1});
                    }
                }
                if (type == HelloBuilder.EXT_SUPPORTED_VERSIONS) {
                    fields.add(new int[] {pos + 4, 1});
                }
                exts.add(Arrays.copyOfRange(hello, pos, pos + 4 + len));
                pos += 4 + len;
            }
        }
        return new Seed(name, hello, fields.toArray(new int[0][]), fixed, exts);
    }

    /** The seed's hello with its extensions replaced, every enclosing length made right again. */
    private static byte[] rebuild(Seed s, List<byte[]> exts) {
        byte[] body = cat(s.fixed(), vec2(cat(exts.toArray(new byte[0][]))));
        return cat(new byte[] {1}, HelloBuilder.u24(body.length), body);
    }

    @Test
    void mutatedHellos() {
        FuzzRunner.Result r = FuzzRunner.run("ClientHello mutations", SEED, 100_000, 6_000_000, 14 * SECOND, (rnd, w) -> {
            Seed s = SEEDS.get(rnd.nextInt(SEEDS.size()));
            byte[] b = structural(s, rnd);
            int rounds = rnd.nextInt(4);
            for (int i = 0; i < rounds && b.length > 0; i++) {
                b = mutate(b, s, rnd);
            }
            w.input = b;
            return checkHello(b, rnd);
        });
        RESULTS.add(r);
        assertTrue(r.iterations() >= 100_000, r.toString()); // the floor run() guarantees; see the printed count
        for (int o = 0; o < 3; o++) {
            assertTrue(r.outcome(o) > r.iterations() / 50, "every outcome must be reached: " + r);
        }
    }

    /** Whole-extension surgery on a seed (or none), returning framed records. */
    private static byte[] structural(Seed s, SplittableRandom rnd) {
        if (s.exts() == null || s.exts().isEmpty() || rnd.nextInt(3) == 0) {
            return s.bytes().clone();
        }
        List<byte[]> exts = new ArrayList<>(s.exts());
        switch (rnd.nextInt(5)) {
            case 0 -> exts.add(rnd.nextInt(exts.size() + 1), exts.get(rnd.nextInt(exts.size()))); // exact duplicate
            case 1 -> { // same type again, other content
                byte[] e = exts.get(rnd.nextInt(exts.size())).clone();
                if (e.length > 4) {
                    e[4 + rnd.nextInt(e.length - 4)] ^= 1;
                }
                exts.add(rnd.nextInt(exts.size() + 1), e);
            }
            case 2 -> shuffle(exts, rnd);
            case 3 -> exts.remove(rnd.nextInt(exts.size()));
            default -> { // the server_name extension at both ends
                for (byte[] e : s.exts()) {
                    if (be16(e, 0) == HelloBuilder.EXT_SERVER_NAME) {
                        exts.add(0, e);
                        exts.add(e);
                        break;
                    }
                }
            }
        }
        byte[] message = rebuild(s, exts);
        return rnd.nextInt(4) == 0 ? reframe(message, rnd) : HelloBuilder.records(message);
    }

    /** Cuts a message into records of random sizes (1 byte and up). */
    private static byte[] reframe(byte[] message, SplittableRandom rnd) {
        int parts = 1 + rnd.nextInt(Math.min(40, message.length));
        int[] sizes = new int[parts];
        for (int i = 0; i < parts; i++) {
            sizes[i] = 1 + rnd.nextInt(Math.max(1, 2 * message.length / parts));
        }
        return HelloBuilder.frame(message, sizes);
    }

    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x03, 0x0f, 0x16, 0x2e, 0x7f, 0x80, 0xc0, 0xff};

    private static byte[] mutate(byte[] b, Seed s, SplittableRandom rnd) {
        int n = b.length;
        switch (rnd.nextInt(9)) {
            case 0 -> b[rnd.nextInt(n)] ^= (byte) (1 << rnd.nextInt(8)); // bit flip
            case 1 -> { // truncate
                return Arrays.copyOf(b, rnd.nextInt(n + 1));
            }
            case 2 -> { // a length field lies, by a little or a lot
                int[] f = s.lengthFields()[rnd.nextInt(s.lengthFields().length)];
                int at = f[0] + f[1] - Math.min(f[1], 2); // the low 16 bits of a 24-bit length
                if (f[1] == 1 && at < n) {
                    b[at] = (byte) (rnd.nextBoolean() ? b[at] + rnd.nextInt(7) - 3 : rnd.nextInt(256));
                } else if (f[1] > 1 && at + 1 < n) {
                    int v = be16(b, at);
                    v = rnd.nextBoolean() ? v + rnd.nextInt(7) - 3 : rnd.nextInt(1 << 16);
                    b[at] = (byte) (v >> 8);
                    b[at + 1] = (byte) v;
                }
            }
            case 3 -> { // insert random bytes
                byte[] extra = new byte[1 + rnd.nextInt(6)];
                rnd.nextBytes(extra);
                int at = rnd.nextInt(n + 1);
                return cat(Arrays.copyOf(b, at), extra, Arrays.copyOfRange(b, at, n));
            }
            case 4 -> { // delete a few bytes
                int at = rnd.nextInt(n);
                int k = Math.min(n - at, 1 + rnd.nextInt(6));
                return cat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + k, n));
            }
            case 5 -> { // duplicate a range somewhere else (byte-level repeated fields)
                int from = rnd.nextInt(n);
                int to = Math.min(n, from + 1 + rnd.nextInt(64));
                int at = rnd.nextInt(n + 1);
                return cat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, from, to), Arrays.copyOfRange(b, at, n));
            }
            case 6 -> b[rnd.nextInt(n)] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
            case 7 -> { // overwrite a run with one byte value (NULs, 0xff, dots)
                int at = rnd.nextInt(n);
                Arrays.fill(b, at, Math.min(n, at + 1 + rnd.nextInt(8)), (byte) INTERESTING[rnd.nextInt(INTERESTING.length)]);
            }
            default -> { // splice in a piece of another seed
                byte[] o = SEEDS.get(rnd.nextInt(SEEDS.size())).bytes();
                int from = rnd.nextInt(o.length);
                int to = Math.min(o.length, from + 1 + rnd.nextInt(48));
                int at = rnd.nextInt(n);
                byte[] out = b.clone();
                System.arraycopy(o, from, out, at, Math.min(to - from, n - at));
                return out;
            }
        }
        return b;
    }

    // ==== the oracle every ClientHello input goes through =====================================

    /** Parses {@code input} as a caller would and checks the answer; returns 0 NeedMore, 1 Parsed, 2 Invalid. */
    static int checkHello(byte[] input, SplittableRandom rnd) {
        // Mostly the default cap; sometimes a small one, as limits.helloMaxBytes allows (1 KiB up).
        int max = rnd.nextInt(4) == 0 ? 1024 + rnd.nextInt(MAX) : MAX;
        boolean deep = rnd.nextInt(16) == 0;
        ByteBuffer buf = place(input, rnd);
        int pos = buf.position();
        ParseResult<ClientHello> r = ClientHelloParser.parse(buf, max);
        assertEquals(pos, buf.position(), "position moved");
        assertEquals(pos + input.length, buf.limit(), "limit moved");
        if (deep) {
            for (int i = 0; i < input.length; i++) {
                if (buf.get(pos + i) != input[i]) {
                    fail("input changed at " + i);
                }
            }
        }
        if (r instanceof Parsed<ClientHello> p) {
            assertTrue(p.consumed() > 0 && p.consumed() <= input.length, "consumed " + p.consumed());
            ClientHello h = p.value();
            assertNotNull(h.tlsVersion());
            if (h.sslv2()) {
                assertNull(h.sni());
                assertTrue(h.alpn().isEmpty());
            }
            if (h.sni() != null) {
                String why = nameProblem(h.sni());
                assertNull(why, "reported name '" + h.sni() + "' is not a valid host name: " + why);
                assertTrue(inputHasHostName(input, h.sni()), "reported name '" + h.sni() + "' is not a host_name in the input");
            }
            byte[] d = deframe(input);
            for (String proto : h.alpn()) {
                assertTrue(hasVector1(d, proto.getBytes(StandardCharsets.ISO_8859_1)), "ALPN '" + proto + "' is not in the input");
            }
            if (deep) {
                int k = rnd.nextInt(p.consumed());
                assertEquals(ParseResult.needMore(), parse(Arrays.copyOf(input, k), max), "prefix " + k);
                assertEquals(r, parse(Arrays.copyOf(input, p.consumed()), max), "exactly the consumed bytes");
                assertEquals(r, parse(cat(input, noise(rnd)), max), "bytes after the hello are not its business");
            }
            return 1;
        }
        if (r instanceof Invalid<ClientHello> inv) {
            assertTrue(HELLO_REASONS.contains(inv.reason()), inv.reason().name());
            assertNotNull(inv.detail());
            if (deep) {
                // A refusal is final and keeps its reason whatever else arrives; the detail may
                // differ (a 2-byte SSLv2 header is 'too short' until its type byte is in).
                int k = rnd.nextInt(input.length + 1);
                ParseResult<ClientHello> pre = parse(Arrays.copyOf(input, k), max);
                assertTrue(pre instanceof NeedMore || pre instanceof Invalid<ClientHello> pi && pi.reason().equals(inv.reason()),
                        "prefix " + k + ": " + pre + " but whole: " + r);
                ParseResult<ClientHello> more = parse(cat(input, noise(rnd)), max);
                assertTrue(more instanceof Invalid<ClientHello> mi && mi.reason().equals(inv.reason()),
                        "more bytes changed a refusal " + r + " into " + more);
            }
            return 2;
        }
        assertTrue(r instanceof NeedMore, String.valueOf(r));
        if (deep && input.length > 0) {
            int k = rnd.nextInt(input.length);
            assertEquals(ParseResult.needMore(), parse(Arrays.copyOf(input, k), max), "prefix " + k + " of an incomplete input");
        }
        return 0;
    }

    private static ParseResult<ClientHello> parse(byte[] b) {
        return parse(b, MAX);
    }

    private static ParseResult<ClientHello> parse(byte[] b, int max) {
        return ClientHelloParser.parse(ByteBuffer.wrap(b), max);
    }

    private static final int DIRECT_SIZE = 1 << 18;
    private static final ThreadLocal<ByteBuffer> DIRECT = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(DIRECT_SIZE));
    private static final ThreadLocal<ByteBuffer> HEAP = ThreadLocal.withInitial(() -> ByteBuffer.allocate(DIRECT_SIZE));

    /** The input at a random offset of a heap, direct or read-only buffer of either byte order. */
    private static ByteBuffer place(byte[] input, SplittableRandom rnd) {
        int offset = rnd.nextInt(4);
        int kind = rnd.nextInt(8);
        ByteBuffer buf;
        if (kind == 0 && offset + input.length + 3 <= DIRECT_SIZE) {
            // One direct buffer per thread: allocating them per input would have the JDK
            // throttle allocation (System.gc() and sleeps) long before the heap fills.
            buf = DIRECT.get().clear();
            buf.limit(offset + input.length + 3);
            buf = buf.slice();
        } else if (offset + input.length + 3 <= DIRECT_SIZE) {
            buf = HEAP.get().clear();
            buf.limit(offset + input.length + 3);
            buf = buf.slice();
        } else {
            buf = ByteBuffer.allocate(offset + input.length + 3);
        }
        if (rnd.nextBoolean()) {
            buf.order(ByteOrder.LITTLE_ENDIAN);
        }
        buf.position(offset);
        buf.put(input);
        buf.put(new byte[] {0x16, 3, 1}); // bytes past the limit must not be read
        buf.limit(offset + input.length).position(offset);
        return kind < 4 ? buf.asReadOnlyBuffer() : buf;
    }

    private static byte[] noise(SplittableRandom rnd) {
        byte[] b = new byte[1 + rnd.nextInt(16)];
        rnd.nextBytes(b);
        return b;
    }

    /**
     * Why {@code name} is not what lnm may report as an SNI (lowercase LDH-and-underscore labels
     * of 1-63, at most 253 in all, no IP literal), or null. Written apart from lnm's own check.
     */
    static String nameProblem(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return "length " + name.length();
        }
        if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            return "not lowercase";
        }
        String[] labels = name.split("\\.", -1);
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63) {
                return "label length " + l.length();
            }
            if (l.startsWith("-") || l.endsWith("-")) {
                return "hyphen at a label end";
            }
            for (char c : l.toCharArray()) {
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    return "character " + (int) c;
                }
            }
        }
        if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "numeric top label (IP literal)";
        }
        return null;
    }

    /**
     * True when {@code name} occurs in the input (or in its handshake bytes with record headers
     * taken out) as a host_name entry: name type 0, a 16-bit length that covers exactly the name
     * (plus an optional trailing dot), any letter case.
     */
    static boolean inputHasHostName(byte[] input, String name) {
        return hasHostName(input, name) || hasHostName(deframe(input), name);
    }

    private static boolean hasHostName(byte[] b, String name) {
        int n = name.length();
        outer:
        for (int i = 3; i + n <= b.length; i++) {
            for (int j = 0; j < n; j++) {
                int c = b[i + j] & 0xff;
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != name.charAt(j)) {
                    continue outer;
                }
            }
            int len = be16(b, i - 2);
            boolean dot = len == n + 1 && i + n < b.length && b[i + n] == '.';
            if (b[i - 3] == 0 && (len == n || dot)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasVector1(byte[] b, byte[] v) {
        outer:
        for (int i = 1; i + v.length <= b.length; i++) {
            if ((b[i - 1] & 0xff) != v.length) {
                continue;
            }
            for (int j = 0; j < v.length; j++) {
                if (b[i + j] != v[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The payloads of the leading TLS records, concatenated (lenient: stops at anything odd). */
    static byte[] deframe(byte[] in) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int pos = 0;
        while (pos + 5 <= in.length && in[pos] == 22) {
            int n = be16(in, pos + 3);
            out.write(in, pos + 5, Math.min(n, in.length - pos - 5));
            pos += 5 + n;
        }
        return out.toByteArray();
    }

    static int be16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static void shuffle(List<byte[]> l, SplittableRandom rnd) {
        for (int i = l.size() - 1; i > 0; i--) {
            Collections.swap(l, i, rnd.nextInt(i + 1));
        }
    }

    // ==== ClientHello: a model with a known right answer =======================================

    /** One server_name entry of the model. */
    record Entry(int type, byte[] name) {}

    @Test
    void modelledHellos() {
        FuzzRunner.Result r = FuzzRunner.run("ClientHello model", SEED + 100, 20_000, 700_000, 8 * SECOND, (rnd, w) -> {
            HelloBuilder hb = new HelloBuilder();
            if (rnd.nextInt(4) == 0) {
                hb.sessionId(new byte[0]);
            }
            int legacy = rnd.nextInt(5) == 0 ? 0x0301 : 0x0303;
            hb.legacyVersion(legacy);
            List<Object> model = new ArrayList<>(); // per extension: List<Entry>, String[], int[] or null (opaque)
            List<HelloBuilder.Ext> exts = new ArrayList<>();
            if (rnd.nextInt(10) < 8) {
                List<Entry> entries = entries(rnd);
                exts.add(HelloBuilder.sniEntries(entries.stream().map(e -> HelloBuilder.entry(e.type(), e.name())).toArray(byte[][]::new)));
                model.add(entries);
            }
            if (rnd.nextBoolean()) {
                String[] protos = rnd.nextInt(40) == 0 ? new String[] {"h2", ""} : rnd.nextBoolean() ? new String[] {"h2", "http/1.1"} : new String[] {"mqtt"};
                exts.add(HelloBuilder.alpn(protos));
                model.add(protos);
            }
            if (rnd.nextInt(10) < 6) {
                int[] versions = rnd.nextInt(6) == 0 ? new int[] {0x3a3a} : rnd.nextBoolean() ? new int[] {0x0a0a, 0x0304, 0x0303} : new int[] {0x0303, 0x0302};
                exts.add(HelloBuilder.supportedVersions(versions));
                model.add(versions);
            }
            int others = rnd.nextInt(5);
            int[] otherTypes = {5, 10, 11, 13, 21, 23, 35, 41, 45, 51, 0x1a1a, 0xfe0d, 0xff01};
            for (int i = 0; i < others; i++) {
                byte[] data = new byte[rnd.nextInt(rnd.nextInt(20) == 0 ? 3000 : 24)];
                rnd.nextBytes(data);
                exts.add(new HelloBuilder.Ext(otherTypes[rnd.nextInt(otherTypes.length)], data));
                model.add(null);
            }
            if (!exts.isEmpty() && rnd.nextInt(6) == 0) { // duplicate one, same or other content
                int from = rnd.nextInt(exts.size());
                int to = rnd.nextInt(exts.size() + 1);
                HelloBuilder.Ext e = exts.get(from);
                Object m = model.get(from);
                if (rnd.nextBoolean() && e.type() == HelloBuilder.EXT_SERVER_NAME) {
                    List<Entry> other = List.of(new Entry(0, "other.example".getBytes(StandardCharsets.US_ASCII)));
                    e = HelloBuilder.sniEntries(HelloBuilder.entry(0, other.get(0).name()));
                    m = other;
                }
                exts.add(to, e);
                model.add(to, m);
            }
            if (rnd.nextBoolean()) { // reorder: must never change the answer
                for (int i = exts.size() - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    Collections.swap(exts, i, j);
                    Collections.swap(model, i, j);
                }
            }
            for (HelloBuilder.Ext e : exts) {
                hb.ext(e);
            }
            byte[] message = hb.message();
            byte[] input = rnd.nextInt(3) == 0 ? reframe(message, rnd) : HelloBuilder.records(message);
            w.input = input;
            ParseResult<ClientHello> expected = expect(exts, model, legacy, input.length);
            ParseResult<ClientHello> got = parse(input);
            if (expected instanceof Invalid<ClientHello> e) {
                assertTrue(got instanceof Invalid<ClientHello> g && g.reason().equals(e.reason()),
                        "expected " + e.reason() + " (" + e.detail() + "), got " + got);
            } else {
                // the fingerprint is checked against its own model in lnm.tls.Ja4Test
                assertTrue(got instanceof Parsed<ClientHello> g && g.value().ja4() != null, "no ja4 in " + got);
                Parsed<ClientHello> g = (Parsed<ClientHello>) got;
                assertEquals(expected, new Parsed<>(g.value().withoutJa4(), g.consumed()));
            }
            checkHello(input, rnd);
            return got instanceof Parsed ? 1 : 2;
        });
        RESULTS.add(r);
        assertTrue(r.iterations() >= 20_000, r.toString());
        assertTrue(r.outcome(1) > r.iterations() / 10 && r.outcome(2) > r.iterations() / 10, r.toString());
    }

    /** server_name entries: mostly one good host_name; sometimes two, none, odd types, bad names. */
    private static List<Entry> entries(SplittableRandom rnd) {
        List<Entry> l = new ArrayList<>();
        int k = rnd.nextInt(20);
        if (k == 0) {
            return l; // empty list
        }
        l.add(new Entry(0, hostName(rnd)));
        if (k == 1) {
            l.add(new Entry(0, hostName(rnd))); // a second host_name
        }
        if (k == 2) {
            l.add(rnd.nextInt(l.size() + 1), new Entry(1 + rnd.nextInt(255), new byte[rnd.nextInt(4)]));
        }
        if (k == 3) {
            l.set(0, new Entry(1 + rnd.nextInt(255), l.get(0).name())); // no host_name at all
        }
        return l;
    }

    private static final String[] BAD_NAMES = {"", ".", "..", "a..b", ".a.example", "a.example..", "-a.example",
        "a-.example", "a.example-", "10.0.0.1", "127.1", "167772161", "0x7f.1", "1.2.3.4.", "::1", "[::1]",
        "fe80::1%eth0", "a.example:443", "a b.example", "a\u0000.example", "*.example", "a/b.example",
        "caf\u00e9.example", "\u00ff", "a.example\r\n", "xn--.example.", "169.254.169.254", "2130706433"};

    private static byte[] hostName(SplittableRandom rnd) {
        int k = rnd.nextInt(10);
        if (k == 0) {
            return BAD_NAMES[rnd.nextInt(BAD_NAMES.length)].getBytes(StandardCharsets.ISO_8859_1);
        }
        StringBuilder sb = new StringBuilder();
        int labels = 1 + rnd.nextInt(k == 1 ? 140 : 4);
        String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
        for (int i = 0; i < labels; i++) {
            if (i > 0) {
                sb.append('.');
            }
            int len = 1 + rnd.nextInt(k == 2 ? 70 : 12);
            for (int j = 0; j < len; j++) {
                sb.append(chars.charAt(rnd.nextInt(j == 0 || j == len - 1 ? chars.length() - 1 : chars.length())));
            }
        }
        if (k == 3) {
            sb.setCharAt(rnd.nextInt(sb.length()), (char) (0x80 + rnd.nextInt(128))); // non-ASCII
        }
        if (rnd.nextInt(8) == 0) {
            sb.append('.');
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** What the parser must answer for the model, computed without lnm's code. */
    @SuppressWarnings("unchecked")
    private static ParseResult<ClientHello> expect(List<HelloBuilder.Ext> exts, List<Object> model, int legacy, int length) {
        Set<Integer> seen = new HashSet<>();
        String sni = null;
        List<String> alpn = List.of();
        int highest = -1;
        boolean ech = false;
        for (int i = 0; i < exts.size(); i++) {
            if (!seen.add(exts.get(i).type())) {
                return ParseResult.invalid(ClientHelloParser.MALFORMED, "duplicate extension");
            }
            ech |= exts.get(i).type() == 0xfe0d; // encrypted_client_hello: noted, its content not judged
            Object m = model.get(i);
            if (m instanceof List<?> l) {
                List<Entry> entries = (List<Entry>) l;
                if (entries.isEmpty()) {
                    return ParseResult.invalid(ClientHelloParser.MALFORMED, "empty list");
                }
                byte[] host = null;
                for (Entry e : entries) {
                    if (e.type() != 0) {
                        continue;
                    }
                    if (host != null) {
                        return ParseResult.invalid(ClientHelloParser.MALFORMED, "two host names");
                    }
                    if (e.name().length == 0) {
                        return ParseResult.invalid(ClientHelloParser.MALFORMED, "empty host name");
                    }
                    host = e.name();
                }
                if (host != null) {
                    String s = new String(host, StandardCharsets.ISO_8859_1);
                    String lower = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
                    lower = lower.chars().allMatch(c -> c < 0x80) ? lowerAscii(lower) : lower;
                    if (lower.contains(":") || lower.startsWith("[") || nameProblem(lower) != null) {
                        return ParseResult.invalid(ClientHelloParser.INVALID_SNI, "bad name");
                    }
                    sni = lower;
                }
            } else if (m instanceof String[] protos) {
                for (String p : protos) {
                    if (p.isEmpty()) {
                        return ParseResult.invalid(ClientHelloParser.MALFORMED, "empty ALPN name");
                    }
                }
                alpn = List.of(protos);
            } else if (m instanceof int[] versions) {
                for (int v : versions) {
                    boolean grease = (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
                    if (!grease) {
                        highest = Math.max(highest, v);
                    }
                }
            }
        }
        int v = highest >= 0 ? highest : legacy;
        String name = switch (v) {
            case 0x0304 -> "TLSv1.3";
            case 0x0303 -> "TLSv1.2";
            case 0x0302 -> "TLSv1.1";
            case 0x0301 -> "TLSv1.0";
            default -> throw new AssertionError("model version " + v);
        };
        return new Parsed<>(new ClientHello(sni, alpn, name, false, ech), length);
    }

    private static String lowerAscii(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    // ==== noise ============================================================================

    @Test
    void randomBytes() {
        FuzzRunner.Result r = FuzzRunner.run("ClientHello random bytes", SEED + 200, 50_000, 1_500_000, 4 * SECOND, (rnd, w) -> {
            byte[] b = new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 4000 : 300)];
            rnd.nextBytes(b);
            if (b.length >= 9 && rnd.nextInt(3) > 0) { // plausible record and handshake headers, then noise
                b[0] = 22;
                b[1] = 3;
                b[2] = (byte) rnd.nextInt(5);
                int len = rnd.nextBoolean() ? b.length - 5 : rnd.nextInt(1 << 15);
                b[3] = (byte) (len >> 8);
                b[4] = (byte) len;
                b[5] = 1;
                if (rnd.nextBoolean()) {
                    int hl = b.length - 9 + rnd.nextInt(3) - 1;
                    b[6] = 0;
                    b[7] = (byte) (hl >> 8);
                    b[8] = (byte) hl;
                }
            } else if (b.length >= 3 && rnd.nextInt(4) == 0) { // SSLv2 header
                int len = b.length - 2;
                b[0] = (byte) (0x80 | (len >> 8));
                b[1] = (byte) len;
                b[2] = 1;
            }
            w.input = b;
            return checkHello(b, rnd);
        });
        RESULTS.add(r);
        assertTrue(r.iterations() >= 50_000, r.toString());
    }

    // ==== PROXY protocol v2 ====================================================================

    private static final byte[] SIG = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private static List<byte[]> proxySeeds() {
        List<byte[]> l = new ArrayList<>();
        l.add(ProxyV2.encode(addr("10.2.0.15", 40001), addr("10.3.0.10", 443)));
        l.add(ProxyV2.encode(addr("2001:db8::7", 1), addr("2001:db8::8", 8883)));
        l.add(ProxyV2.encode(addr("10.2.0.15", 40001), addr("2001:db8::8", 8883))); // mapped v4
        l.add(ProxyV2.encodeLocal());
        byte[] tlvs = cat(tlv(Tlv.AUTHORITY, "management.azure.com".getBytes(StandardCharsets.US_ASCII)),
                tlv(Tlv.ALPN, "h2".getBytes(StandardCharsets.US_ASCII)), tlv(Tlv.NOOP, new byte[5]),
                tlv(Tlv.UNIQUE_ID, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), tlv(Tlv.SSL, new byte[] {1, 0, 0, 0, 0}));
        l.add(header(0x21, 0x11, cat(new byte[] {10, 2, 0, 15, 10, 3, 0, 10}, HelloBuilder.u16(40001), HelloBuilder.u16(443)), tlvs, true));
        l.add(header(0x21, 0x11, cat(new byte[] {10, 2, 0, 15, 10, 3, 0, 10}, HelloBuilder.u16(40001), HelloBuilder.u16(443)), tlvs, false));
        l.add(header(0x20, 0x21, new byte[36], tlv(Tlv.NOOP, new byte[0]), true)); // LOCAL with a block
        l.add(header(0x21, 0x31, new byte[216], new byte[0], false));               // AF_UNIX
        l.add(header(0x21, 0x00, new byte[0], tlv(Tlv.AUTHORITY, new byte[] {'x'}), false));
        return l;
    }

    private static byte[] header(int verCmd, int famProto, byte[] block, byte[] tlvs, boolean crc) {
        byte[] crcTlv = crc ? tlv(Tlv.CRC32C, new byte[4]) : new byte[0];
        byte[] body = cat(block, tlvs, crcTlv);
        byte[] h = cat(SIG, new byte[] {(byte) verCmd, (byte) famProto}, HelloBuilder.u16(body.length), body);
        if (crc) {
            CRC32C c = new CRC32C();
            c.update(h);
            long v = c.getValue();
            int at = h.length - 4;
            h[at] = (byte) (v >> 24);
            h[at + 1] = (byte) (v >> 16);
            h[at + 2] = (byte) (v >> 8);
            h[at + 3] = (byte) v;
        }
        return h;
    }

    private static byte[] tlv(int type, byte[] value) {
        return cat(new byte[] {(byte) type}, HelloBuilder.u16(value.length), value);
    }

    private static InetSocketAddress addr(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void proxyV2() {
        List<byte[]> seeds = proxySeeds();
        FuzzRunner.Result r = FuzzRunner.run("PROXY v2", SEED + 300, 50_000, 1_500_000, 5 * SECOND, (rnd, w) -> {
            byte[] b;
            if (rnd.nextInt(10) == 0) { // noise, mostly behind a real signature
                b = new byte[rnd.nextInt(300)];
                rnd.nextBytes(b);
                if (b.length >= 16 && rnd.nextInt(4) > 0) {
                    System.arraycopy(SIG, 0, b, 0, 12);
                    b[12] = (byte) (rnd.nextBoolean() ? 0x21 : 0x20);
                    if (rnd.nextBoolean()) {
                        int len = b.length - 16;
                        b[14] = (byte) (len >> 8);
                        b[15] = (byte) len;
                    }
                }
            } else {
                b = seeds.get(rnd.nextInt(seeds.size())).clone();
                int rounds = rnd.nextInt(4);
                for (int i = 0; i < rounds; i++) {
                    b = mutateProxy(b, rnd);
                }
            }
            w.input = b;
            return checkProxy(b, rnd);
        });
        RESULTS.add(r);
        assertTrue(r.iterations() >= 50_000, r.toString());
        for (int o = 0; o < 3; o++) {
            assertTrue(r.outcome(o) > r.iterations() / 100, "every outcome must be reached: " + r);
        }
    }

    private static byte[] mutateProxy(byte[] v, SplittableRandom rnd) {
        int n = v.length;
        if (n == 0) {
            return v;
        }
        switch (rnd.nextInt(8)) {
            case 0 -> v[rnd.nextInt(n)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> v[n > 12 ? 12 + rnd.nextInt(n - 12) : rnd.nextInt(n)] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
            case 2 -> {
                return Arrays.copyOf(v, rnd.nextInt(n + 1));
            }
            case 3 -> { // length lies
                if (n >= 16) {
                    int len = be16(v, 14);
                    int lie = rnd.nextBoolean() ? len + rnd.nextInt(9) - 4 : rnd.nextInt(1 << 16);
                    v[14] = (byte) (lie >> 8);
                    v[15] = (byte) lie;
                }
            }
            case 4 -> { // a TLV spliced in at a random place, header length made to match
                if (n >= 16) {
                    int at = 16 + rnd.nextInt(n - 15);
                    byte[] t = tlv(rnd.nextInt(8), new byte[rnd.nextInt(6)]);
                    byte[] out = cat(Arrays.copyOf(v, at), Arrays.copyOf(t, 1 + rnd.nextInt(t.length)), Arrays.copyOfRange(v, at, n));
                    int len = out.length - 16;
                    out[14] = (byte) (len >> 8);
                    out[15] = (byte) len;
                    return out;
                }
            }
            case 5 -> { // the rest of the stream, as a TLS record would follow the header
                return cat(v, noise(rnd));
            }
            case 6 -> { // duplicate a range
                int from = rnd.nextInt(n);
                int to = Math.min(n, from + 1 + rnd.nextInt(16));
                int at = rnd.nextInt(n + 1);
                return cat(Arrays.copyOf(v, at), Arrays.copyOfRange(v, from, to), Arrays.copyOfRange(v, at, n));
            }
            default -> { // delete a range
                int from = rnd.nextInt(n);
                int to = Math.min(n, from + 1 + rnd.nextInt(8));
                return cat(Arrays.copyOf(v, from), Arrays.copyOfRange(v, to, n));
            }
        }
        return v;
    }

    /** Parses a PROXY v2 candidate and checks what it reports against the bytes; 0/1/2 as for hellos. */
    static int checkProxy(byte[] v, SplittableRandom rnd) {
        boolean deep = rnd.nextInt(8) == 0;
        ByteBuffer buf = place(v, rnd);
        int pos = buf.position();
        ParseResult<ProxyHeader> r = ProxyV2.parse(buf);
        assertEquals(pos, buf.position());
        assertEquals(pos + v.length, buf.limit());
        if (r instanceof Parsed<ProxyHeader> p) {
            assertTrue(v.length >= 16);
            int consumed = 16 + be16(v, 14);
            assertEquals(consumed, p.consumed());
            assertTrue(consumed <= v.length);
            assertTrue(Arrays.equals(Arrays.copyOf(v, 12), SIG), "signature");
            ProxyHeader h = p.value();
            assertEquals((v[12] & 0x0f) == 0, h.local());
            assertEquals(h.source() == null, h.destination() == null);
            int family = (v[13] & 0xff) >> 4;
            int block = 0;
            if (h.source() != null) {
                assertTrue(!h.local() && (family == 1 || family == 2), "addresses from family " + family);
                int n = family == 1 ? 4 : 16;
                block = 2 * n + 4;
                assertEquals(ip(v, 16, n), h.source().getAddress());
                assertEquals(ip(v, 16 + n, n), h.destination().getAddress());
                assertEquals(be16(v, 16 + 2 * n), h.source().getPort());
                assertEquals(be16(v, 18 + 2 * n), h.destination().getPort());
            } else {
                int fp = v[13] & 0xff;
                block = fp == 0x11 || fp == 0x12 ? 12 : fp == 0x21 || fp == 0x22 ? 36 : fp == 0x31 || fp == 0x32 ? 216 : 0;
                if (h.local() && (block == 0 && fp != 0 || consumed - 16 < block)) {
                    block = consumed - 16; // LOCAL whose body is skipped whole
                }
            }
            // The TLVs reported, written out again, are exactly the bytes after the address block.
            java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
            for (Tlv t : h.tlvs()) {
                again.writeBytes(tlv(t.type(), t.value()));
            }
            assertTrue(Arrays.equals(again.toByteArray(), Arrays.copyOfRange(v, 16 + block, consumed)),
                    "TLVs reported are not the header's bytes");
            if (deep) {
                int k = rnd.nextInt(consumed);
                assertTrue(ProxyV2.parse(ByteBuffer.wrap(Arrays.copyOf(v, k))) instanceof NeedMore, "prefix " + k);
                assertEquals(h, ((Parsed<ProxyHeader>) ProxyV2.parse(ByteBuffer.wrap(Arrays.copyOf(v, consumed)))).value());
            }
            return 1;
        }
        if (r instanceof Invalid<ProxyHeader> i) {
            assertEquals(ProxyV2.INVALID, i.reason());
            assertNotNull(i.detail());
            if (deep) {
                int k = rnd.nextInt(v.length + 1);
                assertTrue(!(ProxyV2.parse(ByteBuffer.wrap(Arrays.copyOf(v, k))) instanceof Parsed), "prefix " + k + " parsed");
                assertTrue(ProxyV2.parse(ByteBuffer.wrap(cat(v, noise(rnd)))) instanceof Invalid, "more bytes made it valid");
            }
            return 2;
        }
        assertTrue(r instanceof NeedMore);
        return 0;
    }

    private static InetAddress ip(byte[] v, int at, int n) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(v, at, at + n));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
