package lnm.dns;

import lnm.testing.Hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Invalid;
import lnm.wire.ParseResult.NeedMore;
import lnm.wire.ParseResult.Parsed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The DNS parser on real queries, a compressed response, and malformed and malicious input. */
@SuppressWarnings("unchecked") // assertInstanceOf on the generic result records
class DnsParserTest {

    static DnsMessage parsed(byte[] b) {
        ParseResult<DnsMessage> r = DnsParser.parse(ByteBuffer.wrap(b));
        Parsed<DnsMessage> p = assertInstanceOf(Parsed.class, r, () -> r.toString());
        assertEquals(b.length, p.consumed());
        return p.value();
    }

    static String invalid(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).asReadOnlyBuffer();
        ParseResult<DnsMessage> r = DnsParser.parse(buf);
        Invalid<DnsMessage> i = assertInstanceOf(Invalid.class, r, () -> r.toString());
        assertEquals(DnsParser.MALFORMED, i.reason());
        assertEquals(0, buf.position());
        return i.detail();
    }

    @Test
    void digQueryWithEdnsAndCookie() {
        DnsMessage m = parsed(Vectors.DIG_A);
        assertEquals(0x8064, m.id());
        assertFalse(m.isResponse());
        assertEquals(0, m.opcode());
        assertTrue(m.recursionDesired());
        assertEquals(new DnsMessage.Question(DnsName.of("management.azure.com"), 1, 1), m.question());
        assertEquals("management.azure.com", m.question().name().text());
        assertEquals(new DnsMessage.Edns(1232, 0, 0, false, 12), m.edns());
        assertTrue(m.additional().isEmpty(), "the OPT record is taken out of the additional section");
        assertEquals(Vectors.DIG_A.length, m.size());
    }

    @Test
    void digQueryWithoutEdnsKeepsTheCase() {
        DnsMessage m = parsed(Vectors.DIG_AAAA_NOEDNS);
        assertNull(m.edns());
        assertEquals(DnsCodes.TYPE_AAAA, m.question().type());
        assertEquals("Management.Azure.COM", m.question().name().text());
        assertEquals("management.azure.com", m.question().name().lowerText());
        assertEquals(DnsName.of("management.azure.com"), m.question().name(), "names compare case-insensitively");
        assertArrayEquals(Hex.parse("0a 'Management' 05 'Azure' 03 'COM' 00"), m.question().name().wire());
    }

    @Test
    void digDnssecQueryHasTheDoBit() {
        DnsMessage m = parsed(Vectors.DIG_DNSSEC);
        assertEquals(new DnsMessage.Edns(1232, 0, 0, true, 0), m.edns());
        assertEquals("x.his.arc.azure.com", m.question().name().text());
    }

    @Test
    void jdkQuery() {
        DnsMessage m = parsed(Vectors.JDK_A);
        assertEquals(0x30c1, m.id());
        assertEquals(DnsMessage.RD, m.flags());
        assertEquals(DnsName.of("management.azure.com"), m.question().name());
        assertNull(m.edns());
    }

    @Test
    void compressedResponse() {
        DnsMessage m = parsed(Vectors.RESPONSE_COMPRESSED);
        assertTrue(m.isResponse());
        assertEquals(2, m.answers().size());
        assertEquals("www.example.org", m.answers().get(0).name().text());
        assertEquals(DnsCodes.TYPE_CNAME, m.answers().get(0).type());
        assertEquals(3600, m.answers().get(0).ttl());
        assertArrayEquals(Hex.parse("03 'cdn' c0 10"), m.answers().get(0).rdata(), "rdata is kept as sent");
        assertEquals("cdn.example.org", m.answers().get(1).name().text(), "pointer to a name that itself ends in a pointer");
        assertArrayEquals(new byte[] {93, (byte) 184, (byte) 216, 34}, m.answers().get(1).rdata());
    }

    @Test
    void parsingLeavesTheBufferAlone() {
        ByteBuffer b = ByteBuffer.allocate(Vectors.DIG_A.length + 10);
        b.position(5);
        b.put(Vectors.DIG_A);
        b.position(5).limit(5 + Vectors.DIG_A.length);
        ByteBuffer ro = b.asReadOnlyBuffer();
        ParseResult<DnsMessage> r = DnsParser.parse(ro);
        assertInstanceOf(Parsed.class, r);
        assertEquals(5, ro.position());
        assertEquals(5 + Vectors.DIG_A.length, ro.limit());
        assertEquals("management.azure.com", ((Parsed<DnsMessage>) r).value().question().name().text());
    }

    @Test
    void everyProperPrefixOfARealQueryIsInvalidNeverAnException() {
        for (byte[] v : new byte[][] {Vectors.DIG_A, Vectors.DIG_DNSSEC, Vectors.JDK_A, Vectors.RESPONSE_COMPRESSED}) {
            for (int k = 0; k < v.length; k++) {
                invalid(Arrays.copyOf(v, k));
            }
        }
    }

    @Test
    void emptyAndShortMessages() {
        assertEquals("empty message", invalid(new byte[0]));
        assertTrue(invalid(new byte[11]).contains("shorter than the 12-byte header"));
    }

    @Test
    void headerOnlyIsAValidMessage() {
        DnsMessage m = parsed(new byte[12]);
        assertNull(m.question());
        assertTrue(m.questions().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // header                        | rest                                  | detail contains
        "qd 1, nothing after the header  | 0000 0000 0001 0000 0000 0000 |                                     | name runs past the end at offset 12",
        "qd 2, only one question         | 0000 0000 0002 0000 0000 0000 | 01 'a' 00 0001 0001               | question 2 of 2",
        "qd 65535                        | 0000 0000 ffff 0000 0000 0000 | 01 'a' 00 0001 0001               | question 2 of 65535",
        "question without class          | 0000 0000 0001 0000 0000 0000 | 01 'a' 00 0001                    | type and class run past the end",
        "an 1, no answer                 | 0000 0000 0001 0001 0000 0000 | 01 'a' 00 0001 0001               | answer record 1 of 1",
        "ar 3, no records                | 0000 0000 0001 0000 0000 0003 | 01 'a' 00 0001 0001               | additional record 1 of 3",
        "rdlength past the end           | 0000 8000 0000 0001 0000 0000 | 00 0001 0001 00000000 0010 01020304 | runs past the end",
        "label past the end              | 0000 0000 0001 0000 0000 0000 | 05 'ab'                            | label of 5 bytes at offset 12 runs past the end",
        "pointer to itself               | 0000 0000 0001 0000 0000 0000 | c0 0c 0001 0001                   | pointer loop",
        "pointer forward                 | 0000 0000 0001 0000 0000 0000 | c0 0e 01 'a' 00 0001 0001           | pointer loop or forward pointer",
        "pointer into the header         | 0000 0000 0001 0000 0000 0000 | c0 02 0001 0001                   | points into the header",
        "pointer cut off                 | 0000 0000 0001 0000 0000 0000 | c0                                 | compression pointer cut off",
        "pointer past the end            | 0000 8000 0001 0001 0000 0000 | 01 'a' 00 0001 0001 c0 ff 0001 0001 00000000 0000 | points to 255",
        "label type 01                   | 0000 0000 0001 0000 0000 0000 | 41 00 0001 0001                   | label type 0x40",
        "label type 10                   | 0000 0000 0001 0000 0000 0000 | 80 00 0001 0001                   | label type 0x80",
        "trailing bytes                  | 0000 0000 0001 0000 0000 0000 | 01 'a' 00 0001 0001 00            | 1 bytes after the last record",
        "OPT in the answer section       | 0000 8000 0000 0001 0000 0000 | 00 0029 1000 00000000 0000        | OPT record outside the additional section",
        "two OPT records                 | 0000 0000 0000 0000 0000 0002 | 00 0029 1000 00000000 0000 00 0029 1000 00000000 0000 | more than one OPT record",
        "OPT with a name                 | 0000 0000 0000 0000 0000 0001 | 01 'a' 00 0029 1000 00000000 0000 | not the root",
        "EDNS option past the OPT        | 0000 0000 0000 0000 0000 0001 | 00 0029 1000 00000000 0006 000a 0008 0102 | EDNS option runs past the end",
        "EDNS option header cut          | 0000 0000 0000 0000 0000 0001 | 00 0029 1000 00000000 0003 000a 00 | EDNS option runs past the end",
    })
    void malformed(String what, String header, String rest, String detail) {
        String d = invalid(Hex.parse(header + " " + (rest == null ? "" : rest)));
        assertTrue(d.contains(detail.trim()), what + ": " + d);
    }

    @Test
    void mutualPointerLoopIsRefused() {
        // Two names, each a label then a pointer to the other: a -> b -> a -> ...
        byte[] m = Hex.parse("""
                0000 8000 0000 0002 0000 0000
                01 'a' c0 1a  0001 0001 00000000 0000     # offset 12: a + pointer to 26
                01 'b' c0 0c  0001 0001 00000000 0000     # offset 26: b + pointer to 12
                """);
        String d = invalid(m);
        assertTrue(d.contains("answer record 1 of 2") && d.contains("pointer loop"), d);
    }

    @Test
    void pointerChainThatGoesBackwardsEachTimeIsFine() {
        // offset 12: 'c' 00; 15: 'b' -> 12; 19: 'a' -> 15; an answer named by a pointer to 19.
        byte[] m = Hex.parse("""
                0000 8000 0003 0000 0000 0000
                01 'c' 00 0001 0001
                01 'b' c0 0c 0001 0001
                01 'a' c0 13 0001 0001
                """);
        DnsMessage p = parsed(m);
        assertEquals("a.b.c", p.questions().get(2).name().text());
    }

    @Test
    void pointerChainThatComesBackIntoItsOwnRunIsALoop() {
        // offset 12: 'x' then a pointer to 12: reading from 12 meets the same pointer again.
        byte[] m = Hex.parse("0000 0000 0001 0000 0000 0000 01 'x' c0 0c 0001 0001");
        assertTrue(invalid(m).contains("pointer loop"));
    }

    @Test
    void longestNameIsAcceptedAndOneMoreByteIsNot() {
        // 4 labels of 63 + 1 label of 61: 4*64 + 62 = 318 > 255; build exactly 255: 3x63 + 1x61 -> 3*64+62+1 = 255
        String l63 = "a".repeat(63);
        DnsName longest = DnsName.of(l63 + "." + l63 + "." + l63 + "." + "b".repeat(61));
        assertEquals(255, longest.wireLength());
        DnsMessage m = parsed(DnsWriter.query(1, longest, 1, 0));
        assertEquals(longest, m.question().name());
        byte[] tooLong = Hex.parse("0000 0000 0001 0000 0000 0000 " + ("3f " + "61 ".repeat(63)).repeat(3)
                + "3e " + "62 ".repeat(62) + "00 0001 0001");
        assertTrue(invalid(tooLong).contains("name longer than 255 bytes"));
    }

    @Test
    void compressionCannotBuildANameOver255Bytes() {
        // A 63-byte label name at 12, then names that each add a 63-byte label by pointing back.
        StringBuilder sb = new StringBuilder("0000 0000 0005 0000 0000 0000 ");
        sb.append("3f ").append("61 ".repeat(63)).append("00 0001 0001 "); // 12, length 65 + 4
        int prev = 12;
        int at = 12 + 65 + 4;
        for (int i = 0; i < 4; i++) {
            sb.append("3f ").append("62 ".repeat(63)).append(String.format("c0 %02x ", prev)).append("0001 0001 ");
            prev = at;
            at += 1 + 63 + 2 + 4;
        }
        String d = invalid(Hex.parse(sb.toString()));
        assertTrue(d.contains("question 4 of 5") && d.contains("name longer than 255 bytes"), d);
    }

    @Test
    void escapedPresentation() {
        byte[] m = Hex.parse("0000 0000 0001 0000 0000 0000 04 'a.b\\' 03 00 20 ff 00 0001 0001");
        assertEquals("a\\.b\\\\.\\000\\032\\255", parsed(m).question().name().text());
    }

    @Test
    void rootNameQuery() {
        DnsMessage m = parsed(Hex.parse("0000 0100 0001 0000 0000 0000 00 0002 0001"));
        assertTrue(m.question().name().isRoot());
        assertEquals(".", m.question().name().text());
    }

    @Test
    void tcpFramingWaitsForTheWholeFrame() {
        byte[] framed = new byte[2 + Vectors.DIG_A.length + 3];
        framed[0] = 0;
        framed[1] = (byte) Vectors.DIG_A.length;
        System.arraycopy(Vectors.DIG_A, 0, framed, 2, Vectors.DIG_A.length);
        for (int k = 0; k < 2 + Vectors.DIG_A.length; k++) {
            assertInstanceOf(NeedMore.class, DnsParser.frame(ByteBuffer.wrap(framed, 0, k), 4096), "prefix " + k);
        }
        ParseResult<Integer> r = DnsParser.frame(ByteBuffer.wrap(framed), 4096);
        Parsed<Integer> p = assertInstanceOf(Parsed.class, r);
        assertEquals(Vectors.DIG_A.length, p.value());
        assertEquals(2 + Vectors.DIG_A.length, p.consumed());
        assertNotNull(parsed(Arrays.copyOfRange(framed, 2, 2 + p.value())).question());
    }

    @Test
    void tcpFramingRefusesZeroAndOversizedFrames() {
        Invalid<Integer> zero = assertInstanceOf(Invalid.class, DnsParser.frame(ByteBuffer.wrap(new byte[] {0, 0}), 4096));
        assertEquals("zero-length TCP frame", zero.detail());
        Invalid<Integer> big = assertInstanceOf(Invalid.class, DnsParser.frame(ByteBuffer.wrap(new byte[] {0x10, 0x01}), 4096));
        assertTrue(big.detail().contains("4097 bytes"), big.detail());
        // Judged as soon as the length is there, without waiting for the body.
        assertInstanceOf(Parsed.class, DnsParser.frame(ByteBuffer.wrap(new byte[] {0, 1, 7}), 4096));
    }
}
