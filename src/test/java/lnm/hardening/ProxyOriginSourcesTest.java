package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.proxy.ProxyV2;

/**
 * The origin a trusted PROXY v2 header names is a client like the peer: outside {@code sources}
 * it is refused ({@code source_not_allowed}, its record naming the origin) before its hello is
 * read, on every listener that accepts the header; inside, it passes. A header that names no
 * origin (LOCAL) leaves the peer as the client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyOriginSourcesTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** TLS alert access_denied. */
    static final int ACCESS_DENIED = 49;

    @TempDir
    Path dir;

    static byte[] header(String origin, int port) {
        return ProxyV2.encode(new InetSocketAddress(origin, port), new InetSocketAddress("127.0.0.1", 443));
    }

    static String config(int upstream) {
        return "listen.https = 127.0.0.1:0\nlisten.https.acceptProxyProtocol = 127.0.0.1\n"
                + "listen.opc = 127.0.0.1:0\nlisten.opc.mode = tcp\nlisten.opc.target = 127.0.0.1:" + upstream + "\n"
                + "listen.opc.acceptProxyProtocol = 127.0.0.1\n"
                + "listen.web = 127.0.0.1:0\nlisten.web.mode = http\nlisten.web.acceptProxyProtocol = 127.0.0.1\n"
                + "sources = 127.0.0.1, 10.66.1.0/24, 2001:db8:1::/48\ndirect.allowSpecialAddresses = any\n";
    }

    @Test
    void anOriginOutsideSourcesIsRefusedAndOneInsidePasses() throws Exception {
        byte[] hello = new HelloBuilder().ext(HelloBuilder.sni("a.example")).build();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Box box = Box.start(dir, config(upstream.getLocalPort()), "a.example = 127.0.0.1:" + upstream.getLocalPort() + "\n")) {
            upstream.setSoTimeout(30_000);
            // Outside sources: the peer 127.0.0.1 is in sources, the origin it names is not.
            for (String origin : new String[] {"10.66.0.5", "2001:db8:2::5"}) {
                try (Client c = Client.connect(box.address("https")).send(header(origin, 40000)).send(hello)) {
                    Client.End end = c.drain(WAIT);
                    assertTrue(end.closed(), origin + ": " + end);
                    assertArrayEquals(Client.alert(ACCESS_DENIED), end.bytes(), origin + ": " + end);
                }
            }
            // The same on a tcp listener, which decides without a hello: nothing reaches the target.
            try (Client c = Client.connect(box.address("opc")).send(header("10.66.0.6", 40001))) {
                assertTrue(c.drain(WAIT).closed());
            }
            // And on an http listener: a 403, as the peer itself would get.
            byte[] get = "GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            try (Client c = Client.connect(box.address("web")).send(header("10.66.0.7", 40003)).send(get)) {
                Client.End end = c.drain(WAIT);
                assertTrue(end.closed(), end.toString());
                assertTrue(new String(end.bytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 403 "), end.toString());
            }
            // Inside sources, over IPv4 and IPv6: relayed.
            for (String origin : new String[] {"10.66.1.5", "2001:db8:1:2::5"}) {
                try (Client c = Client.connect(box.address("https")).send(header(origin, 40002)).send(hello);
                        Socket up = upstream.accept()) {
                    up.setSoTimeout(30_000);
                    assertArrayEquals(hello, up.getInputStream().readNBytes(hello.length), origin);
                }
            }
            List<String> audit = box.assertAuditComplete(6, WAIT);
            assertEquals(4, box.count("source_not_allowed"), box.reasons().toString());
            assertDenied(audit, "10.66.0.5:40000", "https");
            assertDenied(audit, "[2001:db8:2::5]:40000", "https");
            assertDenied(audit, "10.66.0.6:40001", "opc");
            assertDenied(audit, "10.66.0.7:40003", "web");
            assertEquals("allow", Box.field(byOrigin(audit, "10.66.1.5:40002"), "decision"));
            assertEquals("allow", Box.field(byOrigin(audit, "[2001:db8:1:2::5]:40002"), "decision"));
        }
    }

    @Test
    void aLocalHeaderLeavesThePeerAsTheClient() throws Exception {
        byte[] hello = new HelloBuilder().ext(HelloBuilder.sni("a.example")).build();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Box box = Box.start(dir, config(upstream.getLocalPort()), "a.example = 127.0.0.1:" + upstream.getLocalPort() + "\n")) {
            upstream.setSoTimeout(30_000);
            try (Client c = Client.connect(box.address("https")).send(ProxyV2.encodeLocal()).send(hello);
                    Socket up = upstream.accept()) {
                up.setSoTimeout(30_000);
                assertArrayEquals(hello, up.getInputStream().readNBytes(hello.length));
            }
            String rec = box.assertAuditComplete(1, WAIT).get(0);
            assertEquals("allow", Box.field(rec, "decision"), rec);
            assertNull(Box.field(rec, "origin"), rec);
        }
    }

    private static void assertDenied(List<String> audit, String origin, String listener) {
        String rec = byOrigin(audit, origin);
        assertEquals("deny", Box.field(rec, "decision"), rec);
        assertEquals("source_not_allowed", Box.field(rec, "reason"), rec);
        assertEquals(listener, Box.field(rec, "listener"), rec);
        assertTrue(Box.field(rec, "client").startsWith("127.0.0.1:"), "the peer stays the client: " + rec);
        assertNull(Box.field(rec, "sni"), "its hello was not read: " + rec);
    }

    private static String byOrigin(List<String> audit, String origin) {
        return audit.stream().filter(l -> origin.equals(Box.field(l, "origin"))).findFirst()
                .orElseThrow(() -> new AssertionError("no record with origin " + origin + ":\n" + String.join("\n", audit)));
    }
}
