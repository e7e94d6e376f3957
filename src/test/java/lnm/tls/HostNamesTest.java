package lnm.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import lnm.wire.ParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which server names pass, through the whole parser, and how they are normalised. */
class HostNamesTest {

    private static ParseResult<ClientHello> helloFor(String name) {
        return Feed.parse(Hellos.records(Hellos.clientHello(0x0303, Hellos.sni(name))));
    }

    @ParameterizedTest
    @CsvSource({
        "management.azure.com,        management.azure.com",
        "Management.Azure.COM,        management.azure.com",
        "management.azure.com.,       management.azure.com",
        "_dmarc.example.com,          _dmarc.example.com",
        "xn--bcher-kva.de,            xn--bcher-kva.de",
        "a-b.c-d.e1,                  a-b.c-d.e1",
        "localhost,                   localhost",
        "10.1.2.3.nip.io,             10.1.2.3.nip.io",
        "0x0a010203,                  0x0a010203",
    })
    void accepted(String sent, String reported) {
        assertEquals(reported, Feed.parsed(helloFor(sent)).value().sni());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "10.1.2.3", "10.1.2.3.", "127.1", "167772161", "example.123",   // IPv4 literals and shorthands
        "::1", "[::1]", "fe80::1%eth0", "[2001:db8::1]:443",             // IPv6 literals
        "bücher.de", "exa\u00admple.com",                                 // non-ASCII
        "example..com", ".example.com", "example.com..", ".",             // empty labels
        "-example.com", "example-.com", "a.-b.com",                      // hyphens at label edges
        "exa mple.com", "example.com/path", "user@example.com", "a*.com", "ex\u0000ample.com",
    })
    void refused(String name) {
        Feed.invalid(helloFor(name), ClientHelloParser.INVALID_SNI);
    }

    @Test
    void lengthLimits() {
        String label63 = "a".repeat(63);
        String name253 = String.join(".", label63, label63, label63, "a".repeat(61));
        assertEquals(253, name253.length());
        assertEquals(name253, Feed.parsed(helloFor(name253)).value().sni());
        assertEquals(name253, Feed.parsed(helloFor(name253 + ".")).value().sni());
        Feed.invalid(helloFor(name253 + "a"), ClientHelloParser.INVALID_SNI);
        Feed.invalid(helloFor("a".repeat(64) + ".com"), ClientHelloParser.INVALID_SNI);
        Feed.invalid(helloFor("x".repeat(60_000)), ClientHelloParser.INVALID_SNI);
        assertNull(HostNames.problem("a".repeat(63).getBytes(StandardCharsets.US_ASCII)));
    }
}
