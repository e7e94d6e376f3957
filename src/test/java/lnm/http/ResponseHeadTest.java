package lnm.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lnm.wire.Fault;
import lnm.wire.ParseResult;

class ResponseHeadTest {
    private static ParseResult<ResponseHead> parse(String s) {
        return ResponseHead.parse(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1)), ResponseHead.MAX_BYTES);
    }

    private static ResponseHead parsed(String s, int consumed) {
        ParseResult.Parsed<ResponseHead> p = assertInstanceOf(ParseResult.Parsed.class, parse(s));
        assertEquals(consumed, p.consumed());
        return p.value();
    }

    private static Fault fault(String s) {
        return assertInstanceOf(ParseResult.Invalid.class, parse(s)).reason();
    }

    @Test
    void aTunnelOpensOnTwoHundredAndTheBytesAfterTheHeadAreNotPartOfIt() {
        String head = "HTTP/1.1 200 Connection established\r\n\r\n";
        ResponseHead h = parsed(head + "\u0016\u0003\u0001", head.length());
        assertEquals(200, h.status());
        assertTrue(h.success());
        assertEquals("HTTP/1.1 200 Connection established", h.statusLine());
    }

    @Test
    void refusalsKeepTheirStatusAndLine() {
        ResponseHead h = parsed("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n"
                + "Content-Length: 5\r\n\r\nhello", 102);
        assertEquals(407, h.status());
        assertFalse(h.success());
        assertEquals(403, parsed("HTTP/1.0 403 Forbidden\n\n", 24).status());
        assertEquals(200, parsed("HTTP/1.1 200\r\n\r\n", 16).status(), "the reason phrase may be missing");
    }

    @Test
    void interimHeadsAreSkipped() {
        String s = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nVia: 1.1 proxy\r\n\r\n";
        assertEquals(200, parsed(s, s.length()).status());
    }

    @Test
    void everySplitGivesNeedMoreThenTheSameAnswer() {
        String s = "HTTP/1.1 502 Bad Gateway\r\nServer: squid\r\nX-Squid-Error: ERR_CONNECT_FAIL 111\r\n\r\n";
        byte[] all = s.getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; n < all.length; n++) {
            ByteBuffer part = ByteBuffer.wrap(all, 0, n).slice();
            assertInstanceOf(ParseResult.NeedMore.class, ResponseHead.parse(part, ResponseHead.MAX_BYTES), "prefix " + n);
        }
        assertEquals(502, parsed(s, s.length()).status());
    }

    @Test
    void theBufferPositionIsRespectedAndNotMoved() {
        ByteBuffer b = ByteBuffer.wrap("xxHTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        b.position(2);
        ParseResult.Parsed<ResponseHead> p = assertInstanceOf(ParseResult.Parsed.class, ResponseHead.parse(b, 64));
        assertEquals(19, p.consumed());
        assertEquals(2, b.position());
    }

    @Test
    void badHeadsAreRefusedWithTheirFault() {
        assertEquals(Fault.HTTP_MALFORMED, fault("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
        assertEquals(Fault.HTTP_MALFORMED, fault("HTTP/1.1 20 OK\r\n\r\n"));
        assertEquals(Fault.HTTP_MALFORMED, fault("HTTP/1.1 2000 OK\r\n\r\n"));
        assertEquals(Fault.HTTP_MALFORMED, fault("HTTP/1.1 099 Low\r\n\r\n"));
        assertEquals(Fault.HTTP_MALFORMED, fault("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"));
        assertEquals(Fault.HTTP_MALFORMED, fault("HTTP/1.1 200 OK\r\n bad: fold\r\n\r\n"));
        assertEquals(Fault.HTTP_MALFORMED, fault("HTTP/1.1 200 OK\r\nA: b\u0001c\r\n\r\n"));
        assertEquals(Fault.HTTP_MALFORMED, fault("HTTP/1.1 200 OK\u0000\r\n\r\n"));
        assertEquals(Fault.HTTP_VERSION, fault("HTTP/2.0 200 OK\r\n\r\n"));
        assertEquals(Fault.HTTP_VERSION, fault("HTTP/1.2 200 OK\r\n\r\n"));
    }

    @Test
    void sizeAndHeaderCountAreBounded() {
        StringBuilder many = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i <= ResponseHead.MAX_HEADERS; i++) {
            many.append("X-").append(i).append(": y\r\n");
        }
        assertEquals(Fault.HTTP_TOO_MANY_HEADERS, fault(many + "\r\n"));
        String big = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(ResponseHead.MAX_BYTES) + "\r\n\r\n";
        assertEquals(Fault.HTTP_HEAD_TOO_LARGE, fault(big));
        // Endless interim heads run into the same bound.
        assertEquals(Fault.HTTP_HEAD_TOO_LARGE, fault("HTTP/1.1 100 Continue\r\n\r\n".repeat(1000)));
        // A head that never ends is refused at the bound, not buffered.
        assertEquals(Fault.HTTP_HEAD_TOO_LARGE, fault("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(50) + "z".repeat(9000)));
    }

    @Test
    void theStatusLineIsCutAndMadePrintable() {
        ResponseHead h = parsed("HTTP/1.1 403 \u00ff" + "x".repeat(300) + "\r\n\r\n", 318);
        assertEquals(ResponseHead.MAX_STATUS_LINE, h.statusLine().length());
        assertTrue(h.statusLine().startsWith("HTTP/1.1 403 ?x"));
    }

    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[r.nextInt(200)];
            r.nextBytes(b);
            if (round % 2 == 0 && b.length > 12) {
                System.arraycopy("HTTP/1.1 200 ".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 13);
            }
            ResponseHead.parse(ByteBuffer.wrap(b), 128);
        }
    }

    @Test
    void connectRequestCarriesTheNameAndOptionalCredentials() {
        assertArrayEquals("CONNECT management.azure.com:443 HTTP/1.1\r\nHost: management.azure.com:443\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), ConnectRequest.format("management.azure.com", 443, null));
        assertArrayEquals("CONNECT [2001:db8::1]:8883 HTTP/1.1\r\nHost: [2001:db8::1]:8883\r\nProxy-Authorization: Basic dTpw\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), ConnectRequest.format("2001:db8::1", 8883, "dTpw"));
        assertThrows(IllegalArgumentException.class, () -> ConnectRequest.format("a.example\r\nX: y", 443, null));
        assertThrows(IllegalArgumentException.class, () -> ConnectRequest.format("a.example", 0, null));
        assertThrows(IllegalArgumentException.class, () -> ConnectRequest.format("a.example", 443, "dTpw\r\n"));
        assertThrows(IllegalArgumentException.class, () -> ConnectRequest.format("", 443, null));
    }
}
