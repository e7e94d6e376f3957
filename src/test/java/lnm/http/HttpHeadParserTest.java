package lnm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import lnm.audit.Reason;
import lnm.wire.ParseResult;

/** Annotated request heads: what routes where, and every shape that must be refused. */
class HttpHeadParserTest {
    static final HttpLimits L = HttpLimits.DEFAULT;

    /** The head parsed whole, after checking that fed one byte at a time it gets the same answer. */
    static ParseResult<RequestHead> parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        ParseResult<RequestHead> whole = HttpHeadParser.parse(ByteBuffer.wrap(b).asReadOnlyBuffer(), L);
        assertEquals(whole, HttpHeadResumeTest.fed(b, L, 1), () -> "fed byte by byte: " + s);
        return whole;
    }

    static RequestHead ok(String s) {
        ParseResult<RequestHead> r = parse(s);
        assertInstanceOf(ParseResult.Parsed.class, r, () -> s + " -> " + r);
        return ((ParseResult.Parsed<RequestHead>) r).value();
    }

    static String reason(String s) {
        ParseResult<RequestHead> r = parse(s);
        assertInstanceOf(ParseResult.Invalid.class, r, () -> s + " -> " + r);
        return Reason.of(((ParseResult.Invalid<RequestHead>) r).reason()).text();
    }

    @Test
    void connectAsCurlSendsIt() {
        String s = "CONNECT allowed.example:443 HTTP/1.1\r\n"   // authority-form target, port required
                + "Host: allowed.example:443\r\n"                // must agree with the target
                + "User-Agent: curl/7.88.1\r\n"
                + "Proxy-Connection: Keep-Alive\r\n"
                + "\r\n";
        RequestHead h = ok(s + "\u0016\u0003\u0001"); // bytes after the head (the hello) are not part of it
        assertEquals(RequestHead.Form.AUTHORITY, h.form());
        assertTrue(h.isConnect());
        assertEquals("allowed.example", h.host());
        assertEquals(443, h.port());
        assertNull(h.path());
        assertEquals(s.length(), h.length());
        assertEquals(3, h.headers().size());
        assertEquals("allowed.example:443", h.authority());
    }

    @Test
    void connectWithoutHostHeaderAndWithHostWithoutPort() {
        assertEquals(8883, ok("CONNECT Hub.Azure-Devices.NET.:8883 HTTP/1.1\r\n\r\n").port());
        assertEquals("hub.azure-devices.net", ok("CONNECT Hub.Azure-Devices.NET.:8883 HTTP/1.1\r\n\r\n").host());
        assertEquals("a.example", ok("CONNECT a.example:443 HTTP/1.1\r\nHost: A.example\r\n\r\n").host());
        assertEquals("::1", ok("CONNECT [::1]:443 HTTP/1.1\r\n\r\n").host());
    }

    @Test
    void absoluteFormAsSentToAProxy() {
        RequestHead h = ok("GET http://plain.example/a/b?x=1 HTTP/1.1\r\nHost: plain.example\r\nAccept: */*\r\n\r\n");
        assertEquals(RequestHead.Form.ABSOLUTE, h.form());
        assertEquals("plain.example", h.host());
        assertEquals(80, h.port());
        assertEquals("/a/b?x=1", h.path());
        assertEquals("/a/b", h.pathWithoutQuery());
        assertEquals("/", ok("GET http://plain.example HTTP/1.1\r\nHost: plain.example\r\n\r\n").path());
        assertEquals("/?q", ok("GET http://plain.example?q HTTP/1.1\r\nHost: plain.example:80\r\n\r\n").path());
        assertEquals(8080, ok("GET HTTP://plain.example:8080/ HTTP/1.1\r\nHost: plain.example:8080\r\n\r\n").port());
        assertEquals("plain.example", ok("GET http://plain.example/ HTTP/1.0\r\n\r\n").host()); // 1.0 may omit Host
    }

    @Test
    void originFormRoutedByHost() {
        RequestHead h = ok("POST /upload HTTP/1.1\r\nhost:   Plain.Example:8080  \r\nContent-Length: 3\r\n\r\n");
        assertEquals(RequestHead.Form.ORIGIN, h.form());
        assertEquals("plain.example", h.host());
        assertEquals(8080, h.port());
        assertEquals(3, h.contentLength());
        assertEquals(3, h.fixedBodyLength());
        assertEquals("Plain.Example:8080", h.headers().get(0).value()); // values keep their case, lose their blanks
        assertEquals(RequestHead.Form.ASTERISK, ok("OPTIONS * HTTP/1.1\r\nHost: a.example\r\n\r\n").form());
    }

    @Test
    void leadingBlankLinesAreSkippedAndCounted() {
        assertEquals(2 + 35, ok("\r\nGET / HTTP/1.1\r\nHost: a.example\r\n\r\n").length());
    }

    @Test
    void framing() {
        RequestHead c = ok("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n");
        assertTrue(c.chunked());
        assertEquals(-1, c.contentLength());
        assertEquals(0, c.fixedBodyLength());
        assertEquals(7, ok("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n").contentLength());
        assertEquals(7, ok("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7, 7\r\n\r\n").contentLength());
        assertFalse(ok("GET / HTTP/1.1\r\nHost: a\r\n\r\n").chunked());
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # line endings and folding
            GET / HTTP/1.1\\nHost: a\\n\\n                                   | http_malformed
            GET / HTTP/1.1\\r\\nHost: a\\n\\r\\n                              | http_malformed
            GET / HTTP/1.1\\r\\nHost: a\\r\\r\\n\\r\\n                         | http_malformed
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: 1\\r\\n  folded\\r\\n\\r\\n      | http_malformed
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: 1\\r\\n\\tfolded\\r\\n\\r\\n     | http_malformed
            # request line
            GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                          | http_malformed
            GET / HTTP/1.1 \\r\\nHost: a\\r\\n\\r\\n                          | http_malformed
            GET /\\r\\nHost: a\\r\\n\\r\\n                                    | http_malformed
            GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                           | http_version
            GET / HTTP/1.1x\\r\\nHost: a\\r\\n\\r\\n                          | http_malformed
            G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                           | http_malformed
            GET /a#frag HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                     | http_malformed
            GET https://a/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                  | http_malformed
            GET a/b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                         | http_malformed
            GET * HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                           | http_malformed
            # headers
            GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n                          | http_malformed
            GET / HTTP/1.1\\r\\nHost: a\\r\\n: empty\\r\\n\\r\\n               | http_malformed
            GET / HTTP/1.1\\r\\nHost: a\\r\\nno colon\\r\\n\\r\\n              | http_malformed
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\u0000b\\r\\n\\r\\n          | http_malformed
            # host
            GET / HTTP/1.1\\r\\n\\r\\n                                        | http_bad_host
            GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: a\\r\\n\\r\\n               | http_bad_host
            GET / HTTP/1.1\\r\\nHost: a\\r\\nhOsT: b\\r\\n\\r\\n               | http_bad_host
            GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n                         | http_bad_host
            GET / HTTP/1.1\\r\\nHost: a:0\\r\\n\\r\\n                         | http_bad_host
            GET / HTTP/1.1\\r\\nHost: a:\\r\\n\\r\\n                          | http_bad_host
            GET / HTTP/1.1\\r\\nHost: a:65536\\r\\n\\r\\n                     | http_bad_host
            GET / HTTP/1.1\\r\\nHost: a..b\\r\\n\\r\\n                        | http_bad_host
            GET / HTTP/1.1\\r\\nHost: \\r\\n\\r\\n                            | http_bad_host
            GET http://a/ HTTP/1.1\\r\\nHost: b\\r\\n\\r\\n                   | http_bad_host
            GET http://a/ HTTP/1.1\\r\\nHost: a:8080\\r\\n\\r\\n              | http_bad_host
            GET http://a/ HTTP/1.1\\r\\n\\r\\n                                | http_bad_host
            GET http://user@a/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n              | http_bad_host
            GET http://a@b/ HTTP/1.1\\r\\nHost: b\\r\\n\\r\\n                 | http_bad_host
            CONNECT a HTTP/1.1\\r\\n\\r\\n                                    | http_bad_host
            CONNECT a:443 HTTP/1.1\\r\\nHost: b:443\\r\\n\\r\\n               | http_bad_host
            CONNECT a:443 HTTP/1.1\\r\\nHost: a:8443\\r\\n\\r\\n              | http_bad_host
            CONNECT [zz]:443 HTTP/1.1\\r\\n\\r\\n                             | http_bad_host
            # smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 4\\r\\n\\r\\n | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 4\\r\\nContent-Length: 5\\r\\n\\r\\n           | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 4, 5\\r\\n\\r\\n                               | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +4\\r\\n\\r\\n                                 | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0x4\\r\\n\\r\\n                                | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n               | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n                   | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n                        | http_smuggling
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: identity\\r\\n\\r\\n                        | http_smuggling
            POST / HTTP/1.0\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n                         | http_smuggling
            CONNECT a:443 HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\n                                        | http_smuggling
            """)
    void refused(String escaped, String expected) {
        assertEquals(expected, reason(unescape(escaped)));
    }

    @Test
    void transferEncodingWithSpaceBeforeColonIsMalformedNotIgnored() {
        // 'Transfer-Encoding : chunked' is the classic shape that one parser ignores and another honours
        assertEquals("http_malformed", reason("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n"));
    }

    @Test
    void notHttpIsRefusedFromTheFirstBytes() {
        assertEquals("http_malformed", reason("\u0016\u0003\u0001\u0002\u0000")); // a TLS record header
        assertEquals("http_malformed", reason("\r\n\r\nQUIT\n"));                   // a PROXY v2 signature
        assertEquals("http_malformed", reason(" GET"));
        assertEquals("http_malformed", reason("GET /\u0001"));
        assertInstanceOf(ParseResult.NeedMore.class, parse("GET / HT"));
        assertInstanceOf(ParseResult.NeedMore.class, parse(""));
    }

    @Test
    void limits() {
        String big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "x".repeat(L.maxHeadBytes()) + "\r\n\r\n";
        assertEquals("http_head_too_large", reason(big));
        assertEquals("http_head_too_large", reason(big.substring(0, L.maxHeadBytes()))); // without its end, as soon as the limit is reached
        assertInstanceOf(ParseResult.NeedMore.class, parse(big.substring(0, L.maxHeadBytes() - 1)));
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 1; i < L.maxHeaders(); i++) {
            many.append("X-").append(i).append(": v\r\n");
        }
        assertEquals(L.maxHeaders(), ok(many + "\r\n").headers().size());
        assertEquals("http_too_many_headers", reason(many + "One-More: v\r\n\r\n"));
        // exactly at the size limit is fine
        String pad = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
        String exact = pad + "x".repeat(L.maxHeadBytes() - pad.length() - 4) + "\r\n\r\n";
        assertEquals(L.maxHeadBytes(), exact.length());
        assertEquals(L.maxHeadBytes(), ok(exact).length());
    }

    @Test
    void everySplitPointIsNeedMoreAndNothingElse() {
        for (String s : List.of(
                "CONNECT allowed.example:443 HTTP/1.1\r\nHost: allowed.example:443\r\nUser-Agent: curl/7.88.1\r\n\r\n",
                "\r\nPOST http://plain.example/x HTTP/1.1\r\nHost: plain.example\r\nTransfer-Encoding: chunked\r\n\r\n",
                "GET / HTTP/1.0\r\nHost: [::1]:8080\r\n\r\n")) {
            for (int n = 0; n < s.length(); n++) {
                int cut = n;
                ParseResult<RequestHead> r = parse(s.substring(0, n));
                assertInstanceOf(ParseResult.NeedMore.class, r, () -> "cut at " + cut + ": " + r);
            }
            assertEquals(s.length(), ((ParseResult.Parsed<RequestHead>) parse(s)).consumed());
        }
    }

    @Test
    void positionIsRespectedAndNeverMoved() {
        byte[] b = ("junkGET / HTTP/1.1\r\nHost: a\r\n\r\nmore").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer in = ByteBuffer.wrap(b).position(4).asReadOnlyBuffer();
        ParseResult<RequestHead> r = HttpHeadParser.parse(in, L);
        assertEquals(27, ((ParseResult.Parsed<RequestHead>) r).consumed());
        assertEquals(4, in.position());
        assertEquals(b.length, in.limit());
    }

    @Test
    void responsesAreWellFormed() {
        String s = new String(HttpResponses.error(403, "denied.example is not on the allowlist", "not_allowlisted"),
                StandardCharsets.US_ASCII);
        String body = "lnm: denied.example is not on the allowlist (not_allowlisted)\n";
        assertEquals("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n" + body, s);
        assertTrue(new String(HttpResponses.error(400, "bad\r\nX: y\u00ff", "http_malformed"), StandardCharsets.ISO_8859_1)
                .endsWith("lnm: bad??X: y? (http_malformed)\n")); // nothing from a request can add lines
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'r' -> b.append('\r');
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append('\\').append(n);
            }
        }
        return b.toString();
    }
}
