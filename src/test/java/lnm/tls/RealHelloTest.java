package lnm.tls;

import lnm.testing.Hex;
import static lnm.tls.Hellos.AZURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import lnm.wire.ParseResult.Parsed;
import org.junit.jupiter.api.Test;

/**
 * Hellos as real clients send them: the JDK's own SSLEngine, re-framed copies of them, and
 * synthetic large and Chromium-style hellos. Each is also fed at every split point and one
 * byte at a time, since that is how the proxy meets them.
 */
class RealHelloTest {
    private static final int MAX = ClientHelloParser.DEFAULT_MAX_HELLO;
    private static final List<String> H2 = List.of("h2", "http/1.1");

    /** Parses every prefix and one byte at a time, and returns the one answer for the whole. */
    static ClientHello parseAllWays(byte[] hello) {
        Parsed<ClientHello> whole = Feed.parsed(Feed.everyPrefix(hello, MAX));
        assertEquals(hello.length, whole.consumed());
        assertEquals(whole, Feed.byteAtATime(hello, MAX));
        return whole.value().withoutJa4();
    }

    @Test
    void jdkTls13() {
        byte[] hello = Hellos.jdkTls13();
        assertEquals(new ClientHello(AZURE, H2, "TLSv1.3", false), parseAllWays(hello));
    }

    @Test
    void jdkTls12Only() {
        byte[] hello = Hellos.jdkTls12();
        assertEquals(new ClientHello(AZURE, H2, "TLSv1.2", false), parseAllWays(hello));
    }

    @Test
    void jdkWithoutSni() {
        byte[] hello = Hellos.jdkNoSni();
        assertEquals(new ClientHello(null, List.of(), "TLSv1.3", false), parseAllWays(hello));
    }

    @Test
    void jdkHelloReframedIntoManyRecords() {
        byte[] original = Hellos.jdkTls13();
        byte[] message = Hellos.message(original);
        // 1-byte records split the handshake header itself across four records.
        byte[] reframed = Hellos.frame(message, 1, 1, 1, 1, 37, 2, 200, 1, 90);
        assertTrue(reframed.length > original.length + 5 * 9, "expected at least 10 records");
        assertEquals(new ClientHello(AZURE, H2, "TLSv1.3", false), parseAllWays(reframed));

        byte[] threeRecords = Hellos.frame(message, 100, 1, 1000);
        assertEquals(Feed.parsed(Feed.parse(original)).value().withoutJa4(), parseAllWays(threeRecords));
        // the fingerprint is the hello's, however it is framed
        assertEquals(Feed.parsed(Feed.parse(original)).value(), Feed.parsed(Feed.parse(threeRecords)).value());
        assertEquals(Feed.parsed(Feed.parse(original)).value(), Feed.parsed(Feed.parse(reframed)).value());
    }

    @Test
    void everyRecordOneByteUpToTheRecordLimit() {
        byte[] message = Hellos.message(Hellos.jdkTls12());
        byte[] head = Arrays.copyOf(message, ClientHelloParser.MAX_RECORDS - 1);
        byte[] rest = Arrays.copyOfRange(message, head.length, message.length);
        byte[] reframed = Hellos.cat(Hellos.frame(head, 1), Hellos.frame(rest, rest.length));
        Parsed<ClientHello> p = Feed.parsed(Feed.parse(reframed));
        assertEquals(AZURE, p.value().sni());
        assertEquals(reframed.length, p.consumed());
        // past the limit (RecordLimitTest): one-byte records throughout are refused
        Feed.invalid(Feed.parse(Hellos.frame(message, 1)), ClientHelloParser.MALFORMED);
    }

    @Test
    void largePskHelloOverSeveralRecords() {
        byte[] message = Hellos.largePskHello(20_000);
        assertTrue(message.length > 16 * 1024 + 1000);
        byte[] hello = Hellos.records(message);
        assertEquals(2, countRecords(hello));
        assertEquals(new ClientHello(AZURE, H2, "TLSv1.3", false), parseAllWays(hello));
        // the same hello fragmented unevenly, a record of 1 byte in the middle
        byte[] uneven = Hellos.frame(message, 9000, 1, 16384);
        assertEquals(3, countRecords(uneven));
        assertEquals(AZURE, Feed.parsed(Feed.parse(uneven)).value().sni());
    }

    @Test
    void largeHelloOverTheLimitIsRefusedFromItsHeader() {
        byte[] hello = Hellos.records(Hellos.largePskHello(20_000));
        Feed.invalid(Feed.everyPrefix(hello, 16_384), ClientHelloParser.TOO_LARGE);
        // known from the 5 + 4 header bytes alone
        Feed.invalid(Feed.prefix(hello, 9, 16_384), ClientHelloParser.TOO_LARGE);
    }

    @Test
    void chromiumSizeHelloWithPostQuantumKeyShare() {
        byte[] hello = Hellos.records(Hellos.chromiumLike());
        assertTrue(hello.length > 1700 && hello.length < 2100, "size " + hello.length);
        // name sent in mixed case with a trailing dot is reported normalised; its ECH GREASE is noted
        assertEquals(new ClientHello("www.example.com", H2, "TLSv1.3", false, true), parseAllWays(hello));
    }

    @Test
    void bytesAfterTheHelloAreNotConsumed() {
        // TLS 1.3 early data may follow the hello in the same segment
        byte[] hello = Hellos.jdkTls13();
        byte[] earlyData = Hex.parse("17 0303 0003 aabbcc");
        Parsed<ClientHello> p = Feed.parsed(Feed.parse(Hellos.cat(hello, earlyData)));
        assertEquals(hello.length, p.consumed());
    }

    private static int countRecords(byte[] records) {
        int n = 0;
        for (int pos = 0; pos < records.length; n++) {
            pos += 5 + (((records[pos + 3] & 0xff) << 8) | (records[pos + 4] & 0xff));
        }
        return n;
    }
}
