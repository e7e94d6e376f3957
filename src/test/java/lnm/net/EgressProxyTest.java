package lnm.net;

import static lnm.testing.Lnm.field;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TcpServer;
import lnm.testing.RawHttp;

/**
 * A top-level lnm whose {@code direct} destinations go out through an HTTP proxy
 * ({@code egress.proxy}), against a small fake proxy on loopback: a 200 opens a tunnel that
 * carries the device's bytes exactly (and what the proxy sent right after its head reaches the
 * client first); 407, 403, an answer that is not HTTP and a proxy that never answers are each
 * refused with their own reason; a proxy that is down gives way to the next; a bypassed name
 * goes direct (lnm resolves it itself). Every wait is for an event.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EgressProxyTest {
    private static final String NAME = "management.azure.com";

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    /** The CONNECT heads the fake proxies received. */
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void aTunnelCarriesTheDevicesBytesExactlyWithCredentialsAndTheAuditNamesTheProxy() throws Exception {
        TcpServer proxy = proxy(s -> {
            readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            // the head in two segments, the destination's first bytes right behind it
            out.write("HTTP/1.1 200 Conn".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.write("ection established\r\nProxy-Agent: fake\r\n\r\nEARLY".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.getInputStream().transferTo(out); // then the destination echoes
        });
        Path cred = dir.resolve("proxy.cred");
        Files.writeString(cred, "lnm:s3cret pass\n");
        Files.setPosixFilePermissions(cred, PosixFilePermissions.fromString("rw-------"));
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + proxy.port() + "\negress.proxy.credentials = proxy.cred\n", null);

        byte[] hello = Hellos.clientHello(NAME);
        byte[] payload = new byte[200_000];
        new Random(7).nextBytes(payload);
        byte[] sent = concat(hello, payload);
        byte[] got;
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(30_000);
            Thread writer = new Thread(() -> {
                try {
                    c.getOutputStream().write(sent);
                    c.shutdownOutput();
                } catch (IOException ignored) {
                    // the reader below reports a short stream
                }
            });
            writer.start();
            got = c.getInputStream().readAllBytes();
            writer.join();
        }
        assertArrayEquals(concat("EARLY".getBytes(StandardCharsets.US_ASCII), sent), got);

        String r = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("direct", field(r, "via"), r);
        assertEquals("127.0.0.1:" + proxy.port(), field(r, "egress"), r);
        assertEquals("127.0.0.1:" + proxy.port(), field(r, "upstream"), r);
        assertEquals(String.valueOf(sent.length), field(r, "bytesUp"), r);

        String head = asked.get(0);
        String auth = Base64.getEncoder().encodeToString("lnm:s3cret pass".getBytes(StandardCharsets.US_ASCII));
        assertTrue(head.startsWith("CONNECT " + NAME + ":" + lnm.port("https") + " HTTP/1.1\r\n"), head);
        assertTrue(head.contains("\r\nProxy-Authorization: Basic " + auth + "\r\n"), head);
        assertTrue(lnm.audit().stream().noneMatch(l -> l.contains(auth) || l.contains("s3cret")), "never in the audit");
    }

    @Test
    void anHttpListenersConnectGoesThroughTheProxyWithItsOwnPort() throws Exception {
        TcpServer proxy = proxy(s -> {
            readHead(s.getInputStream());
            s.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().transferTo(s.getOutputStream());
        });
        Lnm l = Lnm.start(dir, "level = 4\nlisten.proxy = 127.0.0.1:0\nlisten.proxy.mode = http\negress.proxy = 127.0.0.1:"
                + proxy.port() + "\n", NAME + " = direct\n", host -> {
                    throw new UnknownHostException(host);
                });
        open.add(0, l);
        byte[] hello = Hellos.clientHello(NAME);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), l.port("proxy"))) {
            c.setSoTimeout(30_000);
            c.getOutputStream().write(("CONNECT " + NAME + ":8883 HTTP/1.1\r\nHost: " + NAME + ":8883\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = RawHttp.readHead(c.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            c.getOutputStream().write(hello);
            assertArrayEquals(hello, c.getInputStream().readNBytes(hello.length));
        }
        assertTrue(asked.get(0).startsWith("CONNECT " + NAME + ":8883 HTTP/1.1\r\n"), asked.get(0));
        String r = l.awaitAudit(1).get(0);
        assertEquals("127.0.0.1:" + proxy.port(), field(r, "egress"), r);
        assertEquals("allow", field(r, "decision"), r);
    }

    @Test
    void anAddressLiteralIsGuardedBeforeTheProxyAndACidrBypassSendsItDirect() throws Exception {
        TcpServer proxy = proxy(s -> readHead(s.getInputStream()));
        // report mode relays names no rule lists as direct: the one way an address reaches the connect step
        int closed = RawHttp.closedPort();
        Lnm l = Lnm.start(dir, "level = 4\nlisten.proxy = 127.0.0.1:0\nlisten.proxy.mode = http\npolicy = report\n"
                + "connect.ports = 443, " + closed + "\ndirect.allowSpecialAddresses = 127.0.0.0/8\n"
                + "egress.proxy = 127.0.0.1:" + proxy.port() + "\negress.proxy.bypass = 127.0.0.0/8\n", "", null);
        open.add(0, l);
        for (String target : List.of("169.254.169.254:443", "127.0.0.1:" + closed)) {
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), l.port("proxy"))) {
                c.setSoTimeout(30_000);
                c.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                c.getInputStream().readAllBytes();
            }
        }
        List<String> a = l.awaitAudit(2);
        assertEquals("destination_forbidden", field(a.get(0), "reason"), a.get(0));
        assertTrue(field(a.get(0), "error").startsWith("169.254.169.254 is "), a.get(0));
        assertNull(field(a.get(1), "egress"), "bypassed by its CIDR, connected directly: " + a.get(1));
        assertEquals("127.0.0.1:" + closed, field(a.get(1), "upstream"), a.get(1));
        assertTrue(asked.isEmpty(), "the proxy was asked for neither");
    }

    @Test
    void aProxyThatWantsCredentialsIsAuditedAsProxyAuthRequired() throws Exception {
        String r = refusedBy("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertEquals("proxy_auth_required", field(r, "reason"), r);
        assertEquals("HTTP/1.1 407 Proxy Authentication Required", field(r, "error"), r);
        assertTrue(asked.get(0).indexOf("Proxy-Authorization") < 0, "no credentials configured, none sent");
    }

    @Test
    void aProxyRefusalKeepsItsStatusLineInError() throws Exception {
        String r = refusedBy("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        assertEquals("proxy_refused", field(r, "reason"), r);
        assertEquals("allow", field(r, "decision"), "lnm allowed it; the proxy refused: " + r);
        assertEquals("HTTP/1.1 403 Forbidden", field(r, "error"), r);
    }

    @Test
    void anAnswerThatIsNotHttpIsABadResponse() throws Exception {
        String r = refusedBy("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        assertEquals("proxy_bad_response", field(r, "reason"), r);
        assertTrue(field(r, "error").contains("not an HTTP status line"), r);
    }

    @Test
    void aProxyThatClosesWithoutAnAnswerIsABadResponse() throws Exception {
        String r = refusedBy("");
        assertEquals("proxy_bad_response", field(r, "reason"), r);
    }

    @Test
    void anEndlessHeadIsRefusedAtItsBound() throws Exception {
        String r = refusedBy("HTTP/1.1 200 OK\r\n" + ("X-Pad: " + "y".repeat(500) + "\r\n").repeat(20));
        assertEquals("proxy_bad_response", field(r, "reason"), r);
        assertTrue(field(r, "error").contains("longer than"), r);
    }

    @Test
    void aSilentProxyTimesOut() throws Exception {
        TcpServer proxy = proxy(s -> {
            readHead(s.getInputStream());
            s.getInputStream().transferTo(OutputStream.nullOutputStream()); // never answers
        });
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + proxy.port() + "\ntimeouts.connectSeconds = 0.5\n", null);
        sendHello(lnm);
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("proxy_timeout", field(r, "reason"), r);
        assertEquals("127.0.0.1:" + proxy.port(), field(r, "egress"), r);
    }

    @Test
    void aSilentProxyIsMarkedDownSoTheNextConnectionGoesToTheSecond() throws Exception {
        TcpServer silent = proxy(s -> {
            readHead(s.getInputStream());
            s.getInputStream().transferTo(OutputStream.nullOutputStream()); // never answers
        });
        TcpServer good = proxy(s -> {
            readHead(s.getInputStream());
            s.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().transferTo(s.getOutputStream());
        });
        String first = "127.0.0.1:" + silent.port();
        String second = "127.0.0.1:" + good.port();
        Lnm lnm = box("egress.proxy = " + first + ", " + second + "\ntimeouts.connectSeconds = 0.5\n", null);
        sendHello(lnm);
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("proxy_timeout", field(r, "reason"), r);
        assertEquals(first, field(r, "egress"), r);

        relayedThrough(lnm, 2, second);
    }

    /** The n-th connection's hello comes back byte-exact through the proxy, and its record names that proxy. */
    private static void relayedThrough(Lnm lnm, int n, String proxy) throws Exception {
        byte[] hello = Hellos.clientHello(NAME);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(30_000);
            c.getOutputStream().write(hello);
            c.shutdownOutput();
            assertArrayEquals(hello, c.getInputStream().readAllBytes());
        }
        String r = lnm.awaitAudit(n).get(n - 1);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals(proxy, field(r, "egress"), r);
    }

    @Test
    void aSecondProxyTakesOverWhenTheFirstIsDown() throws Exception {
        int dead = RawHttp.closedPort();
        TcpServer proxy = proxy(s -> {
            readHead(s.getInputStream());
            s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().transferTo(s.getOutputStream());
        });
        String second = "127.0.0.1:" + proxy.port();
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + dead + ", " + second + "\n", null);
        for (int i = 1; i <= 2; i++) {
            relayedThrough(lnm, i, second);
        }
        assertEquals(2, asked.size());
    }

    @Test
    void noProxyTakingTheConnectionIsProxyUnreachable() throws Exception {
        int dead = RawHttp.closedPort();
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + dead + "\n", null);
        sendHello(lnm);
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("proxy_unreachable", field(r, "reason"), r);
        assertTrue(field(r, "error").startsWith("127.0.0.1:" + dead + ": "), r);
    }

    @Test
    void aBypassedNameGoesDirectAndIsResolvedByLnm() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        TcpServer proxy = proxy(s -> readHead(s.getInputStream()));
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + proxy.port() + "\negress.proxy.bypass = *.plant.test, 10.0.0.0/8\n",
                host -> {
                    lookups.incrementAndGet();
                    throw new UnknownHostException(host);
                }, "historian.site.plant.test = direct\n");
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(30_000);
            c.getOutputStream().write(Hellos.clientHello("historian.site.plant.test"));
            c.getInputStream().readAllBytes();
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("dns_failed", field(r, "reason"), "lnm resolved it itself: " + r);
        assertNull(field(r, "egress"), r);
        assertEquals(1, lookups.get());
        assertTrue(asked.isEmpty(), "the proxy was not asked");
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The proxy answers {@code answer} to any CONNECT and closes; the connection's audit record. */
    private String refusedBy(String answer) throws Exception {
        TcpServer proxy = proxy(s -> {
            readHead(s.getInputStream());
            s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        });
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + proxy.port() + "\n", null);
        byte[] back = sendHello(lnm);
        assertTrue(back.length > 0 && back[0] == 0x15, "the client gets a TLS alert");
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("127.0.0.1:" + proxy.port(), field(r, "egress"), r);
        return r;
    }

    private byte[] sendHello(Lnm lnm) throws IOException {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(30_000);
            c.getOutputStream().write(Hellos.clientHello(NAME));
            return c.getInputStream().readAllBytes();
        }
    }

    private TcpServer proxy(TcpServer.Handler h) throws IOException {
        TcpServer s = new TcpServer(sock -> {
            sock.setTcpNoDelay(true);
            h.handle(sock);
        });
        open.add(s);
        return s;
    }

    private Lnm box(String egress, lnm.dns.Resolver.Lookup lookup) throws Exception {
        return box(egress, lookup, NAME + " = direct\n");
    }

    private Lnm box(String egress, lnm.dns.Resolver.Lookup lookup, String allowlist) throws Exception {
        Lnm l = Lnm.start(dir, "level = 4\nlisten.https = 127.0.0.1:0\n" + egress, allowlist,
                lookup != null ? lookup : host -> {
                    throw new UnknownHostException("the test resolves nothing: " + host);
                });
        open.add(0, l);
        return l;
    }

    /** Reads up to and including the empty line, records it as asked. */
    private void readHead(InputStream in) throws IOException {
        asked.add(RawHttp.readHead(in));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
