package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.config.HostPort;

/**
 * The CONNECT exchange over a real socket pair, the proxy's answer fed one byte at a time: no
 * outcome until the head is complete, then the right one, and bytes after a 2xx kept.
 */
class ProxyTunnelTest {
    @Test
    void aTwoHundredFedByteByByteOpensOnItsLastByte() throws Exception {
        Outcomes o = feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\nVia: 1.1 p\r\n\r\n");
        assertTrue(o.last.open());
        assertEquals(o.bytes, o.decidedAt, "decided on the head's last byte, not before");
        assertNull(o.tunnel.early());
    }

    @Test
    void bytesAfterTheTwoHundredAreKept() throws Exception {
        SocketChannel[] p = SocketPairs.pair(false);
        try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
            ProxyTunnel t = new ProxyTunnel(new HostPort("x.example", 443), null);
            b.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\n\u0016\u0003\u0001".getBytes(StandardCharsets.ISO_8859_1)));
            ProxyTunnel.Outcome o = null;
            Peer proxy = new Peer(Side.UPSTREAM, a);
            for (int i = 0; i < 100 && o == null; i++) {
                o = t.read(proxy); // blocking: each read takes what has arrived
            }
            assertTrue(o.open());
            assertEquals("\u0016\u0003\u0001", StandardCharsets.ISO_8859_1.decode(t.early()).toString());
        }
    }

    @Test
    void statusesMapToReasons() throws Exception {
        Outcomes auth = feed("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n");
        assertEquals(Reason.PROXY_AUTH_REQUIRED, auth.last.refusal());
        assertEquals("HTTP/1.1 407 Proxy Authentication Required", auth.last.detail());
        Outcomes no = feed("HTTP/1.0 503 Service Unavailable\n\n");
        assertEquals(Reason.PROXY_REFUSED, no.last.refusal());
        assertEquals("HTTP/1.0 503 Service Unavailable", no.last.detail());
        Outcomes upgrade = feed("HTTP/1.1 101 Switching Protocols\r\n\r\n");
        assertEquals(Reason.PROXY_REFUSED, upgrade.last.refusal());
        Outcomes bad = feed("HTTP/2 200\r\n\r\n");
        assertEquals(Reason.PROXY_BAD_RESPONSE, bad.last.refusal());
        Outcomes nul = feed("HTTP/1.1 200 OK\r\nX: \u0000\r\n\r\n");
        assertEquals(Reason.PROXY_BAD_RESPONSE, nul.last.refusal());
    }

    @Test
    void theRequestNamesTheDestinationAndTheCredentials() throws Exception {
        SocketChannel[] p = SocketPairs.pair(false);
        try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
            ProxyTunnel t = new ProxyTunnel(new HostPort("management.azure.com", 443), "bG5tOnB3");
            assertTrue(t.writing());
            t.write(new Peer(Side.UPSTREAM, a));
            assertFalse(t.writing());
            ByteBuffer got = ByteBuffer.allocate(512);
            while (got.position() < 4 || !new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                assertTrue(b.read(got) >= 0);
            }
            assertEquals("CONNECT management.azure.com:443 HTTP/1.1\r\nHost: management.azure.com:443\r\n"
                    + "Proxy-Authorization: Basic bG5tOnB3\r\n\r\n", new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anEndBeforeTheHeadIsABadResponse() throws Exception {
        SocketChannel[] p = SocketPairs.pair(false);
        try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
            ProxyTunnel t = new ProxyTunnel(new HostPort("x.example", 443), null);
            b.write(ByteBuffer.wrap("HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII)));
            b.shutdownOutput();
            Peer proxy = new Peer(Side.UPSTREAM, a);
            ProxyTunnel.Outcome o = null;
            for (int i = 0; i < 100 && o == null; i++) {
                o = t.read(proxy);
            }
            assertEquals(Reason.PROXY_BAD_RESPONSE, o.refusal());
            assertTrue(o.detail().contains("inside its answer's head"), o.detail());
        }
    }

    private record Outcomes(ProxyTunnel tunnel, ProxyTunnel.Outcome last, int decidedAt, int bytes) {}

    /** Writes {@code answer} one byte at a time, reading each (blocking); the first outcome and after how many bytes. */
    private static Outcomes feed(String answer) throws IOException {
        byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
        SocketChannel[] p = SocketPairs.pair(false);
        try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
            ProxyTunnel t = new ProxyTunnel(new HostPort("x.example", 443), null);
            Peer proxy = new Peer(Side.UPSTREAM, a);
            for (int i = 0; i < bytes.length; i++) {
                b.write(ByteBuffer.wrap(bytes, i, 1));
                ProxyTunnel.Outcome o = t.read(proxy);
                if (o != null) {
                    return new Outcomes(t, o, i + 1, bytes.length);
                }
            }
            throw new AssertionError("no outcome for " + answer);
        }
    }
}
