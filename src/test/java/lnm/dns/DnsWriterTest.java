package lnm.dns;

import lnm.config.IpLiteral;
import lnm.testing.Hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers compared byte for byte with hand-annotated packets. */
class DnsWriterTest {

    static InetAddress ip(String s) {
        return IpLiteral.address(s);
    }

    @Test
    void answerToDigIsWhatDigReceived() {
        byte[] got = DnsWriter.answer(DnsParserTest.parsed(Vectors.DIG_A), 0, true, List.of(ip("127.0.0.1")), 60, 1232);
        assertEquals(Hex.of(Hex.parse("""
                80 64                    # the query's ID
                85 00                    # QR AA RD (AD is not copied: nothing was validated), NOERROR
                00 01 00 01 00 00 00 01  # 1 question, 1 answer, 1 additional (OPT)
                0a 'management' 05 'azure' 03 'com' 00 00 01 00 01
                c0 0c                    # name: pointer to the question
                00 01 00 01              # A IN
                00 00 00 3c              # TTL 60
                00 04 7f 00 00 01        # 127.0.0.1
                00 00 29 04 d0           # OPT, we take 1232
                00 00 00 00 00 00        # rcode 0, version 0, no DO, no options (the cookie is not echoed)
                """)), Hex.of(got));
        assertEquals(65, got.length, "dig printed MSG SIZE rcvd: 65");
    }

    @Test
    void aaaaKeepsTheClientsCaseAndHasNoOptWithoutEdns() {
        byte[] got = DnsWriter.answer(DnsParserTest.parsed(Vectors.DIG_AAAA_NOEDNS), 0, true,
                List.of(ip("fd00::1"), ip("fd00::2")), 300, 512);
        assertEquals(Hex.of(Hex.parse("""
                2f 57 85 00 00 01 00 02 00 00 00 00
                0a 'Management' 05 'Azure' 03 'COM' 00 00 1c 00 01
                c0 0c 00 1c 00 01 00 00 01 2c 00 10 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01
                c0 0c 00 1c 00 01 00 00 01 2c 00 10 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02
                """)), Hex.of(got));
    }

    @Test
    void refusedForTheJdkQuery() {
        byte[] got = DnsWriter.error(DnsParserTest.parsed(Vectors.JDK_A), DnsCodes.REFUSED);
        assertEquals(Hex.of(Hex.parse("""
                30 c1 81 05              # QR RD, REFUSED; not authoritative
                00 01 00 00 00 00 00 00
                0a 'management' 05 'azure' 03 'com' 00 00 01 00 01
                """)), Hex.of(got));
    }

    @Test
    void dnssecOkIsCopied() {
        byte[] got = DnsWriter.error(DnsParserTest.parsed(Vectors.DIG_DNSSEC), DnsCodes.NOERROR);
        assertEquals(Hex.of(Hex.parse("""
                46 f2 81 00 00 01 00 00 00 00 00 01
                01 'x' 03 'his' 03 'arc' 05 'azure' 03 'com' 00 00 01 00 01
                00 00 29 04 d0 00 00 80 00 00 00   # DO
                """)), Hex.of(got));
    }

    @Test
    void badversGoesInTheOptRecord() {
        byte[] q = Hex.parse("""
                00 07 00 00 00 01 00 00 00 00 00 01
                01 'a' 00 00 01 00 01
                00 00 29 02 00 00 01 00 00 00 00   # EDNS version 1
                """);
        byte[] got = DnsWriter.error(DnsParserTest.parsed(q), DnsCodes.BADVERS);
        assertEquals(Hex.of(Hex.parse("""
                00 07 80 00 00 01 00 00 00 00 00 01   # header rcode 0 ...
                01 'a' 00 00 01 00 01
                00 00 29 04 d0 01 00 00 00 00 00      # ... extended rcode 1: 1 << 4 | 0 = 16 BADVERS
                """)), Hex.of(got));
        assertEquals(DnsCodes.BADVERS, DnsParserTest.parsed(got).rcode());
    }

    @Test
    void truncatedWhenTheAnswerDoesNotFit() {
        List<InetAddress> many = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            many.add(ip("10.9.0." + i));
        }
        DnsMessage q = DnsParserTest.parsed(Vectors.JDK_A);
        byte[] full = DnsWriter.answer(q, 0, true, many, 60, 65535);
        assertEquals(12 + 26 + 40 * 16, full.length);
        assertFalse(DnsWriter.truncated(full));
        byte[] tc = DnsWriter.answer(q, 0, true, many, 60, 512);
        assertEquals(Hex.of(Hex.parse("""
                30 c1 87 00              # QR AA TC RD
                00 01 00 00 00 00 00 00  # no answers at all
                0a 'management' 05 'azure' 03 'com' 00 00 01 00 01
                """)), Hex.of(tc));
        assertTrue(DnsWriter.truncated(tc));
        // Exactly at the limit is not truncated.
        assertFalse(DnsWriter.truncated(DnsWriter.answer(q, 0, true, many, 60, full.length)));
        assertTrue(DnsWriter.truncated(DnsWriter.answer(q, 0, true, many, 60, full.length - 1)));
    }

    @Test
    void formatErrorIsTheHeaderOnly() {
        byte[] garbage = Hex.parse("ab cd 01 00 00 01 00 00 00 00 00 00 05 'ab'");
        assertEquals(Hex.of(Hex.parse("ab cd 81 01 00 00 00 00 00 00 00 00")), Hex.of(DnsWriter.formatError(ByteBuffer.wrap(garbage))));
        byte[] opcode2 = Hex.parse("ab cd 10 00 ff ff");
        assertNull(DnsWriter.formatError(ByteBuffer.wrap(opcode2)), "fewer than 12 bytes: nothing");
        byte[] response = Hex.parse("ab cd 81 00 00 01 00 00 00 00 00 00 ff");
        assertNull(DnsWriter.formatError(ByteBuffer.wrap(response)), "never answer an answer");
        byte[] notify = Hex.parse("ab cd 21 00 00 01 00 00 00 00 00 00 ff"); // opcode 4 (NOTIFY), RD
        assertEquals(Hex.of(Hex.parse("ab cd a1 01 00 00 00 00 00 00 00 00")), Hex.of(DnsWriter.formatError(ByteBuffer.wrap(notify))));
    }

    @Test
    void writtenQueriesAndAnswersParseBack() {
        byte[] q = DnsWriter.query(0x1234, DnsName.of("a.example.com"), DnsCodes.TYPE_A, 1232);
        DnsMessage m = DnsParserTest.parsed(q);
        assertEquals(0x1234, m.id());
        assertEquals(1232, m.edns().payloadSize());
        byte[] a = DnsWriter.answer(m, 0, true, List.of(ip("10.0.0.1"), ip("::1")), 5, 1232);
        DnsMessage r = DnsParserTest.parsed(a);
        assertTrue(r.isResponse());
        assertEquals(2, r.answers().size());
        assertEquals(DnsName.of("a.example.com"), r.answers().get(1).name());
        assertEquals(5, r.answers().get(1).ttl());
        assertArrayEquals(ip("::1").getAddress(), r.answers().get(1).rdata());
        assertArrayEquals(Hex.parse("99 99 85 00"), java.util.Arrays.copyOf(DnsWriter.withId(a, 0x9999), 4));
        assertEquals(0x1234, DnsWriter.id(a));
    }
}
