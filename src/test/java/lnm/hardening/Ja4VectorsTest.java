package lnm.hardening;

import static lnm.hardening.HelloBuilder.u16s;
import static lnm.hardening.HelloBuilder.vec2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import lnm.tls.ClientHello;
import lnm.tls.ClientHelloParser;
import lnm.wire.ParseResult;
import org.junit.jupiter.api.Test;

/**
 * JA4 fingerprints of hellos built to match the examples of FoxIO's JA4 specification
 * (technical_details/JA4.md), and the edge cases it defines: GREASE, no SNI, no ALPN, no
 * signature algorithms, non-alphanumeric ALPN, counts over 99, no ciphers or extensions left.
 */
class Ja4VectorsTest {
    /** The specification's example cipher suites, in the hello's order. */
    private static final int[] CIPHERS = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
        0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    /** The specification's example extensions, in the hello's order. */
    private static final int[] EXTENSIONS = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
        0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
    /** The specification's example signature algorithms. */
    private static final int[] SIGALGS = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    private static final String EXAMPLE = "t13d1516h2_8daaf6152771_e5627efa2ab1";

    /** The example hello; {@code skip} leaves those extension types out, {@code alpn} is its first protocol. */
    private static HelloBuilder example(int[] sigalgs, String alpn, int... skip) {
        HelloBuilder b = new HelloBuilder().cipherSuites(CIPHERS);
        for (int type : EXTENSIONS) {
            if (java.util.Arrays.stream(skip).anyMatch(s -> s == type)) {
                continue;
            }
            switch (type) {
                case 0x0000 -> b.ext(HelloBuilder.sni("example.com"));
                case 0x0010 -> b.ext(HelloBuilder.alpn(alpn, "http/1.1"));
                case 0x002b -> b.ext(HelloBuilder.supportedVersions(0x0304, 0x0303));
                case 0x000d -> b.ext(0x000d, vec2(u16s(sigalgs)));
                default -> b.ext(type, new byte[0]);
            }
        }
        return b;
    }

    static String ja4(byte[] hello) {
        ParseResult<ClientHello> r = ClientHelloParser.parse(ByteBuffer.wrap(hello), ClientHelloParser.DEFAULT_MAX_HELLO);
        if (!(r instanceof ParseResult.Parsed<ClientHello> p)) {
            throw new AssertionError("not parsed: " + r);
        }
        return p.value().ja4();
    }

    @Test
    void theSpecificationsExample() {
        assertEquals(EXAMPLE, ja4(example(SIGALGS, "h2").build()));
    }

    @Test
    void noSignatureAlgorithmsHashesWithoutTheUnderscore() {
        // the specification's second c example: the list alone hashes to 6d807ffa2a79
        assertEquals("t13d1516h2_8daaf6152771_6d807ffa2a79", ja4(example(new int[0], "h2").build()));
    }

    @Test
    void greaseIsIgnoredEverywhere() {
        int[] ciphers = new int[CIPHERS.length + 2];
        ciphers[0] = 0x2a2a;
        System.arraycopy(CIPHERS, 0, ciphers, 1, CIPHERS.length);
        ciphers[ciphers.length - 1] = 0xfafa;
        int[] sigalgs = new int[SIGALGS.length + 1];
        sigalgs[0] = 0x5a5a;
        System.arraycopy(SIGALGS, 0, sigalgs, 1, SIGALGS.length);
        HelloBuilder b = new HelloBuilder().cipherSuites(ciphers).ext(0x0a0a, new byte[0]);
        for (HelloBuilder.Ext e : example(sigalgs, "h2", 0x002b).extensions()) {
            b.ext(e);
        }
        b.ext(HelloBuilder.supportedVersions(0x7a7a, 0x0304, 0x0303)).ext(0xdada, new byte[] {0});
        // the order of the extensions does not matter (sorted), so 002b moved to the end changes nothing
        assertEquals(EXAMPLE, ja4(b.build()));
    }

    @Test
    void noSniAndNoAlpn() {
        assertEquals("t13i1515h2_8daaf6152771_e5627efa2ab1", ja4(example(SIGALGS, "h2", 0x0000).build()));
        assertEquals("t13d151500_8daaf6152771_e5627efa2ab1", ja4(example(SIGALGS, "h2", 0x0010).build()));
    }

    @Test
    void alpnCharacters() {
        assertEquals("h1", alpnPart("http/1.1"));
        assertEquals("xx", alpnPart("x"));
        // the specification's non-alphanumeric examples
        assertEquals("ab", alpnPart("\u00ab"));
        assertEquals("ad", alpnPart("\u00ab\u00cd"));
        assertEquals("3b", alpnPart("0\u00ab"));
        assertEquals("3d", alpnPart("01\u00ab\u00cd"));
        assertEquals("01", alpnPart("0\u00ab\u00cd1"));
    }

    private static String alpnPart(String first) {
        return ja4(example(SIGALGS, first).build()).substring(8, 10);
    }

    @Test
    void versions() {
        HelloBuilder tls12 = new HelloBuilder().cipherSuites(0xc02f).ext(HelloBuilder.sni("a.example"));
        assertEquals("t12d0101", ja4(tls12.build()).substring(0, 8));
        assertEquals("t10", ja4(new HelloBuilder().legacyVersion(0x0301).build()).substring(0, 3));
        assertEquals("ts3", ja4(new HelloBuilder().legacyVersion(0x0300).build()).substring(0, 3));
        HelloBuilder unknown = new HelloBuilder().ext(HelloBuilder.supportedVersions(0x0305));
        assertEquals("t00", ja4(unknown.build()).substring(0, 3));
    }

    @Test
    void noExtensionsBlockAndNothingLeftToHash() {
        String bare = ja4(new HelloBuilder().cipherSuites(0x002f, 0x0035).noExtensionsBlock().build());
        assertEquals("t12i020000_" + sha12("002f,0035") + "_000000000000", bare);
        // only SNI and ALPN: both are left out of c, so nothing is hashed
        String sniAlpn = ja4(new HelloBuilder().cipherSuites(0x2a2a).ext(HelloBuilder.sni("a.example"))
                .ext(HelloBuilder.alpn("h2")).build());
        assertEquals("t12d0002h2_000000000000_000000000000", sniAlpn);
    }

    @Test
    void countsAreCappedAt99() {
        int[] ciphers = new int[150];
        for (int i = 0; i < ciphers.length; i++) {
            ciphers[i] = 0x0100 + i;
        }
        HelloBuilder b = new HelloBuilder().cipherSuites(ciphers);
        List<String> types = new ArrayList<>();
        for (int t = 0x1000; t < 0x1000 + 120; t++) {
            b.ext(t, new byte[0]);
            types.add(String.format("%04x", t));
        }
        StringBuilder suites = new StringBuilder();
        for (int c : ciphers) {
            suites.append(suites.length() == 0 ? "" : ",").append(String.format("%04x", c));
        }
        assertEquals("t12i999900_" + sha12(suites.toString()) + "_" + sha12(String.join(",", types)), ja4(b.build()));
    }

    @Test
    void sslv2HelloHasNone() {
        byte[] v2 = HelloBuilder.cat(new byte[] {(byte) 0x80, 0x1c, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10,
            0x01, 0x00, (byte) 0x80}, new byte[16]);
        ParseResult<ClientHello> r = ClientHelloParser.parse(ByteBuffer.wrap(v2), ClientHelloParser.DEFAULT_MAX_HELLO);
        assertNull(((ParseResult.Parsed<ClientHello>) r).value().ja4());
    }

    static String sha12(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return java.util.HexFormat.of().formatHex(d).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
