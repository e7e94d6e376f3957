package lnm.tls;

import lnm.testing.Hex;
import static lnm.tls.ClientHelloParser.INVALID_SNI;
import static lnm.tls.ClientHelloParser.MALFORMED;
import static lnm.tls.ClientHelloParser.TOO_LARGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Invalid;
import lnm.wire.ParseResult.Parsed;
import org.junit.jupiter.api.Test;
import lnm.wire.Fault;

/**
 * Hand-written ClientHellos, one annotated field per line. Each malformed vector differs
 * from a valid one in exactly the field under test, so the reason it is refused is that field.
 */
class HelloVectorsTest {

    /** 32 bytes of client random; its value never matters. */
    private static final String RANDOM = "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f";

    private static byte[] v(String annotated) {
        return Hex.parse(annotated.replace("RANDOM", RANDOM));
    }

    /** The smallest useful hello: one cipher suite, one extension, server_name example.com. */
    static final byte[] MINIMAL_SNI = v("""
            16 0301 0043          # record: handshake, version TLS 1.0 (as clients send), 67 bytes
            01 00003f             # handshake: client_hello, 63 bytes
            0303                  # client_version TLS 1.2
            RANDOM                # random
            00                    # session_id: empty
            0002 1301             # cipher_suites: TLS_AES_128_GCM_SHA256
            01 00                 # compression_methods: null
            0014                  # extensions: 20 bytes
              0000 0010           #   server_name, 16 bytes
                000e              #     server_name_list, 14 bytes
                  00              #       name_type host_name
                  000b 'example.com'
            """);

    @Test
    void minimalHelloWithSni() {
        Parsed<ClientHello> p = Feed.parsed(Feed.everyPrefix(MINIMAL_SNI, ClientHelloParser.DEFAULT_MAX_HELLO));
        assertEquals(new ClientHello("example.com", List.of(), "TLSv1.2", false), p.value().withoutJa4());
        assertEquals(MINIMAL_SNI.length, p.consumed());
    }

    @Test
    void helloWithoutExtensions() {
        byte[] hello = v("""
                16 0301 002d          # record: handshake, 45 bytes
                01 000029             # client_hello, 41 bytes
                0303                  # client_version TLS 1.2
                RANDOM
                00                    # session_id: empty
                0002 c02f             # cipher_suites: ECDHE_RSA_WITH_AES_128_GCM_SHA256
                01 00                 # compression_methods: null
                                      # no extensions block at all (allowed before TLS 1.3)
                """);
        Parsed<ClientHello> p = Feed.parsed(Feed.everyPrefix(hello, ClientHelloParser.DEFAULT_MAX_HELLO));
        assertEquals(new ClientHello(null, List.of(), "TLSv1.2", false), p.value().withoutJa4());
    }

    @Test
    void alpnList() {
        byte[] hello = v("""
                16 0301 0055          # record: handshake, 85 bytes
                01 000051             # client_hello, 81 bytes
                0303 RANDOM 00 0002 1301 01 00
                0026                  # extensions: 38 bytes
                  0000 0010 000e 00 000b 'example.com'
                  0010 000e           #   application_layer_protocol_negotiation, 14 bytes
                    000c              #     protocol_name_list, 12 bytes
                      02 'h2'
                      08 'http/1.1'
                """);
        Parsed<ClientHello> p = Feed.parsed(Feed.everyPrefix(hello, ClientHelloParser.DEFAULT_MAX_HELLO));
        assertEquals(new ClientHello("example.com", List.of("h2", "http/1.1"), "TLSv1.2", false), p.value().withoutJa4());
    }

    @Test
    void supportedVersionsWithGrease() {
        byte[] hello = v("""
                16 0301 004e          # record: handshake, 78 bytes
                01 00004a             # client_hello, 74 bytes
                0303 RANDOM 00 0002 1301 01 00
                001f                  # extensions: 31 bytes
                  0000 0010 000e 00 000b 'example.com'
                  002b 0007           #   supported_versions, 7 bytes
                    06                #     versions, 6 bytes
                      fafa            #       GREASE: numerically highest, must be ignored
                      0304            #       TLS 1.3
                      0303            #       TLS 1.2
                """);
        Parsed<ClientHello> p = Feed.parsed(Feed.everyPrefix(hello, ClientHelloParser.DEFAULT_MAX_HELLO));
        assertEquals("TLSv1.3", p.value().tlsVersion());
    }

    @Test
    void sslv2CompatibleHello() {
        byte[] hello = v("""
                80 2e                 # SSLv2 2-byte header (high bit set): 46 bytes follow
                01                    # msg_type client_hello
                0301                  # version TLS 1.0
                0015                  # cipher_spec_length: 21 (7 specs of 3 bytes)
                0000                  # session_id_length
                0010                  # challenge_length: 16
                010080 070080 030080 000035 00002f 00000a 0000ff   # cipher specs
                00112233445566778899aabbccddeeff                    # challenge
                """);
        Parsed<ClientHello> p = Feed.parsed(Feed.everyPrefix(hello, ClientHelloParser.DEFAULT_MAX_HELLO));
        assertEquals(new ClientHello(null, List.of(), "TLSv1.0", true), p.value());
        assertEquals(hello.length, p.consumed());
    }

    @Test
    void versionFallbacks() {
        // supported_versions holding only GREASE says nothing: the legacy version counts
        byte[] onlyGrease = v("""
                16 0301 0036 01 000032 0303 RANDOM 00 0002 1301 01 00
                0007 002b 0003 02 3a3a
                """);
        assertEquals("TLSv1.2", Feed.parsed(Feed.parse(onlyGrease)).value().tlsVersion());
        // a version lnm has no name for is reported in hex
        byte[] future = v("""
                16 0301 0038 01 000034 0303 RANDOM 00 0002 1301 01 00
                0009 002b 0005 04 0305 0304
                """);
        assertEquals("0x0305", Feed.parsed(Feed.parse(future)).value().tlsVersion());
        // no supported_versions: the legacy client_version, here TLS 1.0
        byte[] tls10 = v("16 0301 002d 01 000029 0301 RANDOM 00 0002 c02f 01 00");
        assertEquals("TLSv1.0", Feed.parsed(Feed.parse(tls10)).value().tlsVersion());
    }

    // ---- malformed ---------------------------------------------------------------------

    @Test
    void fixedFieldErrors() {
        // client_version 0x0200 inside a TLS record
        refused(v("16 0301 002d 01 000029 0200 RANDOM 00 0002 c02f 01 00"), MALFORMED);
        // session_id of 33 bytes (max 32)
        refused(v("16 0301 004e 01 00004a 0303 RANDOM 21 SID33 0002 c02f 01 00"
                .replace("SID33", "aa".repeat(33))), MALFORMED);
        // cipher_suites of odd length 3
        refused(v("16 0301 002e 01 00002a 0303 RANDOM 00 0003 c02f00 01 00"), MALFORMED);
        // no compression methods at all
        refused(v("16 0301 002c 01 000028 0303 RANDOM 00 0002 c02f 00"), MALFORMED);
        // supported_versions list of odd length 3
        refused(v("""
                16 0301 0037 01 000033 0303 RANDOM 00 0002 1301 01 00
                0008 002b 0004 03 030403
                """), MALFORMED);
    }

    @Test
    void malformedSslv2Hellos() {
        // message type 2 (SSLv2 client_master_key), refused on the third byte
        refused(v("80 2e 02 0301 0015 0000 0010"), MALFORMED);
        Feed.invalid(Feed.parse(v("80 2e 02")), MALFORMED);
        refused(v("""
                80 2e 01 0301
                0014                  # cipher_spec_length 20: not a multiple of 3
                0000 0010
                010080 070080 030080 000035 00002f 00000a 0000ff 00112233445566778899aabbccddeeff
                """), MALFORMED);
        // a genuine SSL 2.0 client names its version 0x0002
        byte[] v2 = v("80 1c 01 0002 0003 0000 0010 010080 00112233445566778899aabbccddeeff");
        assertEquals(new ClientHello(null, List.of(), "SSLv2", true), Feed.parsed(Feed.parse(v2)).value());
    }

    /** The answer for the whole vector, checked against every prefix of it too. */
    private static Invalid<ClientHello> refused(byte[] vector, Fault reason) {
        ParseResult<ClientHello> r = Feed.everyPrefix(vector, ClientHelloParser.DEFAULT_MAX_HELLO);
        return Feed.invalid(r, reason);
    }

    @Test
    void wrongContentType() {
        refused(v("17 0303 0005 0000000000     # application_data record"), MALFORMED);
        // Plain HTTP on the TLS port is refused on its first byte, without waiting.
        Invalid<ClientHello> inv = Feed.invalid(Feed.parse(v("'G'")), MALFORMED);
        assertTrue(inv.detail().contains("0x47"), inv.detail());
    }

    @Test
    void zeroLengthRecord() {
        byte[] empty = v("16 0301 0000   # empty handshake record, then a valid hello");
        Invalid<ClientHello> inv = refused(Hellos.cat(empty, MINIMAL_SNI), MALFORMED);
        assertTrue(inv.detail().contains("zero-length"), inv.detail());
    }

    @Test
    void lyingExtensionLength() {
        refused(v("""
                16 0301 0043 01 00003f 0303 RANDOM 00 0002 1301 01 00
                0014
                  0000 0011           #   server_name claims 17 bytes: one more than the block holds
                    000e 00 000b 'example.com'
                """), MALFORMED);
    }

    @Test
    void lyingServerNameListLength() {
        refused(v("""
                16 0301 0043 01 00003f 0303 RANDOM 00 0002 1301 01 00
                0014 0000 0010
                  000f                #   server_name_list claims 15 bytes, extension has 14
                  00 000b 'example.com'
                """), MALFORMED);
        refused(v("""
                16 0301 0043 01 00003f 0303 RANDOM 00 0002 1301 01 00
                0014 0000 0010
                  000d                #   server_name_list claims 13 bytes, leaving one unread
                  00 000b 'example.com'
                """), MALFORMED);
        Invalid<ClientHello> inv = refused(v("""
                16 0301 0044 01 000040 0303 RANDOM 00 0002 1301 01 00
                0015 0000 0011        #   server_name, 17 bytes: one more than its list
                  000e 00 000b 'example.com'
                  00                  #   a byte after the list, inside the extension
                """), MALFORMED);
        assertTrue(inv.detail().contains("server_name list length"), inv.detail());
    }

    @Test
    void duplicateServerNameExtension() {
        Invalid<ClientHello> inv = refused(v("""
                16 0301 0057 01 000053 0303 RANDOM 00 0002 1301 01 00
                0028                  # extensions: 40 bytes
                  0000 0010 000e 00 000b 'example.com'
                  0000 0010 000e 00 000b 'example.org'     # server_name again
                """), MALFORMED);
        assertTrue(inv.detail().contains("duplicate"), inv.detail());
    }

    @Test
    void twoHostNames() {
        refused(v("""
                16 0301 004f 01 00004b 0303 RANDOM 00 0002 1301 01 00
                0020                  # extensions: 32 bytes
                  0000 001c           #   server_name, 28 bytes
                    001a              #     server_name_list, 26 bytes
                      00 000b 'example.com'
                      00 0009 'evil.test'                  # a second host_name
                """), MALFORMED);
    }

    @Test
    void trailingBytesInBody() {
        refused(v("""
                16 0301 0044          # record: 68 bytes
                01 000040             # client_hello, 64 bytes
                0303 RANDOM 00 0002 1301 01 00
                0014 0000 0010 000e 00 000b 'example.com'
                00                    # one byte after the extensions
                """), MALFORMED);
    }

    @Test
    void ipv4LiteralSni() {
        Invalid<ClientHello> inv = refused(v("""
                16 0301 0040 01 00003c 0303 RANDOM 00 0002 1301 01 00
                0011 0000 000d 000b 00 0008 '10.1.2.3'
                """), INVALID_SNI);
        assertTrue(inv.detail().contains("IP literal"), inv.detail());
    }

    @Test
    void ipv6LiteralSni() {
        refused(v("""
                16 0301 003d 01 000039 0303 RANDOM 00 0002 1301 01 00
                000e 0000 000a 0008 00 0005 '[::1]'
                """), INVALID_SNI);
        refused(v("""
                16 0301 003b 01 000037 0303 RANDOM 00 0002 1301 01 00
                000c 0000 0008 0006 00 0003 '::1'
                """), INVALID_SNI);
    }

    @Test
    void nonAsciiLabel() {
        Invalid<ClientHello> inv = refused(v("""
                16 0301 0042 01 00003e 0303 RANDOM 00 0002 1301 01 00
                0013 0000 000f 000d 00
                  000a 'bücher.de'    # UTF-8, not the A-label xn--bcher-kva.de
                """), INVALID_SNI);
        assertTrue(inv.detail().contains("non-ASCII"), inv.detail());
    }

    @Test
    void labelOf64Chars() {
        String label = "a".repeat(64);
        refused(v("""
                16 0301 007c 01 000078 0303 RANDOM 00 0002 1301 01 00
                004d 0000 0049 0047 00
                  0044 'LABEL.com'    # 64 + 4 chars
                """.replace("LABEL", label)), INVALID_SNI);
        // 63 is the limit, not over it.
        byte[] ok = Hellos.records(Hellos.clientHello(0x0303, Hellos.sni("a".repeat(63) + ".com")));
        assertEquals("a".repeat(63) + ".com", Feed.parsed(Feed.parse(ok)).value().sni());
    }

    @Test
    void tooLargeFromTheHeaderAlone() {
        byte[] header = v("""
                16 0301 4000          # record: handshake, 16384 bytes
                01 010001             # client_hello of 65537 bytes: one over the default limit
                """);
        Invalid<ClientHello> inv = refused(header, TOO_LARGE);
        assertTrue(inv.detail().contains("65537"), inv.detail());
        assertEquals(ParseResult.needMore(), Feed.prefix(header, header.length - 1, ClientHelloParser.DEFAULT_MAX_HELLO));
    }

    @Test
    void otherFramingErrors() {
        // handshake type server_hello(2)
        refused(v("16 0303 0004 02 000000"), MALFORMED);
        // record version major 2
        refused(v("16 0201 0004 01 000000"), MALFORMED);
        // record length 18433 = 2^14 + 2048 + 1
        refused(v("16 0301 4801"), MALFORMED);
        // an alert record interleaved between two fragments of the hello
        refused(Hellos.cat(v("16 0301 0002 01 00"), Alerts.fatal(Alerts.HANDSHAKE_FAILURE)), MALFORMED);
        // the record holding the hello runs two bytes past its end
        refused(v("""
                16 0301 0045 01 00003f 0303 RANDOM 00 0002 1301 01 00
                0014 0000 0010 000e 00 000b 'example.com'
                0000                  # not part of the 63-byte hello
                """), MALFORMED);
        // a hello body that ends inside its fixed fields
        refused(v("16 0301 0008 01 000004 0303 0001"), MALFORMED);
    }

    @Test
    void emptyNamesAndBadAlpn() {
        // host_name of length 0
        refused(v("""
                16 0301 0038 01 000034 0303 RANDOM 00 0002 1301 01 00
                0009 0000 0005 0003 00 0000
                """), MALFORMED);
        // ALPN protocol name of length 0
        refused(v("""
                16 0301 0036 01 000032 0303 RANDOM 00 0002 1301 01 00
                0007 0010 0003 0001 00
                """), MALFORMED);
        // empty ALPN list
        refused(v("""
                16 0301 0035 01 000031 0303 RANDOM 00 0002 1301 01 00
                0006 0010 0002 0000
                """), MALFORMED);
        // a byte after the ALPN list, inside the extension
        refused(v("""
                16 0301 0039 01 000035 0303 RANDOM 00 0002 1301 01 00
                000a 0010 0006 0003 02 'h2' 00
                """), MALFORMED);
        // ALPN name claims 3 bytes, its list holds 2 after the length
        refused(v("""
                16 0301 0038 01 000034 0303 RANDOM 00 0002 1301 01 00
                0009 0010 0005 0003 03 'h2'
                """), MALFORMED);
    }
}
