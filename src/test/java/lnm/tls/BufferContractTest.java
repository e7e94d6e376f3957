package lnm.tls;

import lnm.testing.Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Parsed;
import org.junit.jupiter.api.Test;

/** The parser's promises about the caller's buffer: read-only use of exactly [position, limit). */
class BufferContractTest {
    private static final int MAX = ClientHelloParser.DEFAULT_MAX_HELLO;

    @Test
    void directBufferWithNonZeroPositionAndBytesBeyondLimit() {
        byte[] hello = Hellos.records(Hellos.chromiumLike());
        ClientHello expected = Feed.parsed(Feed.parse(hello)).value();
        ByteBuffer direct = ByteBuffer.allocateDirect(hello.length + 64);
        direct.put(new byte[] {1, 2, 3, 4, 5, 6, 7});      // junk before position
        direct.put(hello);
        direct.put(Hex.parse("16 0301 0005 0100000100")); // junk after limit
        direct.position(7).limit(7 + hello.length);

        ParseResult<ClientHello> r = ClientHelloParser.parse(direct, MAX);
        assertEquals(new Parsed<>(expected, hello.length), r);
        assertEquals(7, direct.position());
        assertEquals(7 + hello.length, direct.limit());

        // every prefix of the direct buffer, with the bytes past the limit still present
        for (int k = 0; k < hello.length; k++) {
            direct.limit(7 + k);
            assertEquals(ParseResult.needMore(), ClientHelloParser.parse(direct, MAX), "prefix " + k);
            assertEquals(7, direct.position());
        }
    }

    @Test
    void readOnlyAndSlicedHeapBuffers() {
        byte[] hello = Hellos.frame(Hellos.message(Hellos.jdkTls13()), 50, 1, 3000);
        byte[] padded = Hellos.cat(new byte[100], hello);
        ByteBuffer ro = ByteBuffer.wrap(padded).asReadOnlyBuffer().position(100);
        Parsed<ClientHello> p = Feed.parsed(ClientHelloParser.parse(ro, MAX));
        assertEquals(Hellos.AZURE, p.value().sni());
        assertEquals(hello.length, p.consumed());
        assertEquals(100, ro.position());
        // a slice has its own index 0: absolute reads must be relative to it
        ByteBuffer slice = ByteBuffer.wrap(padded, 100, hello.length).slice();
        assertEquals(p, ClientHelloParser.parse(slice, MAX));
    }

    @Test
    void contentIsNotChanged() {
        byte[] hello = Hellos.jdkTls12();
        byte[] copy = hello.clone();
        Feed.parse(hello);
        assertEquals(Hex.of(copy), Hex.of(hello));
    }

    @Test
    void emptyInputNeedsMore() {
        assertEquals(ParseResult.needMore(), Feed.parse(new byte[0]));
    }

    @Test
    void reportedNamesAreInTheInput() {
        for (byte[] hello : new byte[][] {Hellos.jdkTls13(), Hellos.jdkTls12(), Hellos.records(Hellos.chromiumLike()),
                HelloVectorsTest.MINIMAL_SNI}) {
            String sni = Feed.parsed(Feed.parse(hello)).value().sni();
            assertTrue(containsIgnoreCase(hello, sni), sni);
        }
    }

    /** True when {@code name}'s ASCII bytes occur in {@code haystack}, ignoring ASCII case. */
    static boolean containsIgnoreCase(byte[] haystack, String name) {
        byte[] needle = name.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (lower(haystack[i + j]) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }
}
