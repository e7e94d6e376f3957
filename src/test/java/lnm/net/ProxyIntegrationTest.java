package lnm.net;

import static lnm.testing.Lnm.field;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TcpServer;
import lnm.testing.TestPki;
import lnm.testing.TlsEchoServer;

/** lnm on loopback in front of a real JDK TLS server, driven by real TLS clients. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyIntegrationTest {
    @TempDir
    Path dir;
    TlsEchoServer tls;
    Lnm lnm;

    @BeforeEach
    void setUp() throws Exception {
        tls = new TlsEchoServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lnm != null) {
            lnm.close();
        }
        tls.close();
    }

    private void startLnm(String extraConfig) throws Exception {
        lnm = Lnm.start(dir, """
                level = 3
                listen.https = 127.0.0.1:0
                listen.https.mode = tls
                timeouts.helloSeconds = 1
                """ + extraConfig, """
                # the test TLS server, as a fixed east-west target
                management.azure.com = 127.0.0.1:%d
                *.azure.com = 127.0.0.1:%d
                """.formatted(tls.port(), tls.port()));
    }

    private SSLSocket tlsClient(String sni) throws Exception {
        SSLSocket s = (SSLSocket) TestPki.get().clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), lnm.port("https"));
        s.setSoTimeout(20_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        p.setEndpointIdentificationAlgorithm(sni == null ? null : "HTTPS");
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        s.setSSLParameters(p);
        return s;
    }

    @Test
    void allowlistedNameCompletesRealHandshakeAndExchangesData() throws Exception {
        startLnm("");
        try (SSLSocket s = tlsClient("management.azure.com")) {
            s.startHandshake();
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            byte[] back = new DataInputStream(s.getInputStream()).readNBytes(5);
            assertEquals("ping\n", new String(back, StandardCharsets.US_ASCII));
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("allowlist:management.azure.com", field(r, "reason"), r);
        assertEquals("fixed", field(r, "via"), r);
        assertEquals("management.azure.com", field(r, "sni"), r);
        assertEquals("127.0.0.1:" + tls.port(), field(r, "upstream"), r);
        assertEquals("TLSv1.3", field(r, "tls"), r);
        assertEquals("3", field(r, "level"), r);
        assertEquals("https", field(r, "listener"), r);
        assertTrue(r.contains("\"alpn\":[\"h2\",\"http/1.1\"]"), r);
        assertTrue(Long.parseLong(field(r, "bytesUp")) > 500, r);
        assertTrue(Long.parseLong(field(r, "bytesDown")) > 100, r);
        assertTrue(tls.sniSeen.contains("management.azure.com"));
    }

    @Test
    void wildcardMatchesDeeperNames() throws Exception {
        startLnm("");
        try (SSLSocket s = tlsClient("management.azure.com".replace("management", "a.b"))) {
            // a.b.azure.com matches *.azure.com; the certificate does not cover it, so skip host checks
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm(null);
            s.setSSLParameters(p);
            s.startHandshake();
        }
        assertEquals("allowlist:*.azure.com", field(lnm.awaitAudit(1).get(0), "reason"));
    }

    @Test
    void nameNotOnTheListGetsAnAlertAndADenyRecord() throws Exception {
        startLnm("");
        try (SSLSocket s = tlsClient("evil.example.org")) {
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);
            assertTrue(e.getMessage().contains("access_denied"), e.getMessage());
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(r, "decision"), r);
        assertEquals("not_allowlisted", field(r, "reason"), r);
        assertEquals("evil.example.org", field(r, "sni"), r);
        assertTrue(tls.sniSeen.isEmpty());
    }

    @Test
    void clientWithoutSniIsDenied() throws Exception {
        startLnm("");
        try (SSLSocket s = tlsClient(null)) {
            assertThrows(SSLHandshakeException.class, s::startHandshake);
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(r, "decision"), r);
        assertEquals("no_sni", field(r, "reason"), r);
    }

    @Test
    void oneMegabyteEachWayArrivesByteExact() throws Exception {
        startLnm("");
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        try (SSLSocket s = tlsClient("management.azure.com")) {
            s.startHandshake();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < data.length; off += 7001) {
                        out.write(data, off, Math.min(7001, data.length - off));
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] back = new DataInputStream(s.getInputStream()).readNBytes(data.length);
            writer.get(30, TimeUnit.SECONDS);
            assertArrayEquals(sha256(data), sha256(back));
        }
        String r = lnm.awaitAudit(1).get(0);
        assertTrue(Long.parseLong(field(r, "bytesUp")) > data.length, r);
        assertTrue(Long.parseLong(field(r, "bytesDown")) > data.length, r);
    }

    @Test
    void clientHalfCloseReachesUpstreamAndTheAnswerStillComesBack() throws Exception {
        byte[] hello = Hellos.clientHello("management.azure.com");
        try (TcpServer up = new TcpServer(s -> {
            byte[] all = s.getInputStream().readAllBytes(); // until the client's FIN arrives
            s.getOutputStream().write(("got " + all.length).getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
        })) {
            lnm = Lnm.start(dir, "listen.https = 127.0.0.1:0\n", "management.azure.com = 127.0.0.1:" + up.port() + "\n");
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write(hello);
                c.getOutputStream().write(new byte[1000]);
                c.shutdownOutput();
                String answer = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertEquals("got " + (hello.length + 1000), answer);
            }
            String r = lnm.awaitAudit(1).get(0);
            assertEquals("client", field(r, "closedBy"), r);
            assertEquals(String.valueOf(hello.length + 1000), field(r, "bytesUp"), r);
        }
    }

    @Test
    void upstreamHalfCloseReachesClientWhichCanStillSend() throws Exception {
        byte[] hello = Hellos.clientHello("management.azure.com");
        CompletableFuture<Integer> received = new CompletableFuture<>();
        try (TcpServer up = new TcpServer(s -> {
            InputStream in = s.getInputStream();
            in.readNBytes(hello.length);
            s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput(); // upstream is done talking, still listening
            received.complete(in.readAllBytes().length);
        })) {
            lnm = Lnm.start(dir, "listen.https = 127.0.0.1:0\n", "management.azure.com = 127.0.0.1:" + up.port() + "\n");
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write(hello);
                InputStream in = c.getInputStream();
                assertEquals("bye", new String(in.readAllBytes(), StandardCharsets.US_ASCII)); // EOF seen
                c.getOutputStream().write(new byte[5000]);
                c.shutdownOutput();
                assertEquals(5000, received.get(10, TimeUnit.SECONDS));
            }
            String r = lnm.awaitAudit(1).get(0);
            assertEquals("upstream", field(r, "closedBy"), r);
        }
    }

    @Test
    void helloDribbledOneByteAtATimeStillWorks() throws Exception {
        byte[] hello = Hellos.clientHello("management.azure.com");
        try (TcpServer up = new TcpServer(s -> {
            byte[] got = s.getInputStream().readNBytes(hello.length);
            s.getOutputStream().write(got.length == hello.length ? 'Y' : 'N');
        })) {
            lnm = Lnm.start(dir, "listen.https = 127.0.0.1:0\n", "management.azure.com = 127.0.0.1:" + up.port() + "\n");
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
                c.setTcpNoDelay(true);
                c.setSoTimeout(10_000);
                OutputStream out = c.getOutputStream();
                for (byte b : hello) {
                    out.write(b);
                    out.flush();
                }
                assertEquals('Y', c.getInputStream().read());
            }
        }
    }

    @Test
    void silentClientIsClosedAtTheHelloTimeout() throws Exception {
        startLnm("");
        long t0 = System.nanoTime(); // before the connect: lnm's timer cannot have started earlier
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(30_000);
            c.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
            assertEquals(-1, c.getInputStream().read());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // not before the timeout; how soon after it is a timing, judged by make load-test (LimitsTest)
            assertTrue(ms >= 800, "closed after " + ms + " ms");
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("hello_timeout", field(r, "reason"), r);
        assertEquals("deny", field(r, "decision"), r);
    }

    @Test
    void garbageIsRefusedAsMalformed() throws Exception {
        startLnm("");
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            c.getInputStream().transferTo(got);
            byte[] alert = got.toByteArray();
            assertEquals(7, alert.length);
            assertEquals(0x15, alert[0]);
        }
        assertEquals("malformed_hello", field(lnm.awaitAudit(1).get(0), "reason"));
    }

    @Test
    void unreachableUpstreamIsAuditedAndTheClientToldPromptly() throws Exception {
        int closedPort;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = ss.getLocalPort();
        }
        lnm = Lnm.start(dir, "listen.https = 127.0.0.1:0\n", "management.azure.com = 127.0.0.1:" + closedPort + "\n");
        try (SSLSocket s = tlsClient("management.azure.com")) {
            SSLException e = assertThrows(SSLException.class, s::startHandshake);
            assertTrue(e.getMessage().contains("internal_error"), e.getMessage());
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("upstream_unreachable", field(r, "reason"), r);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("127.0.0.1:" + closedPort, field(r, "upstream"), r);
        assertNotNull(field(r, "error"));
    }

    @Test
    void directDestinationResolvingToLoopbackIsForbiddenUnlessAllowed() throws Exception {
        lnm = Lnm.start(dir, "listen.https = 127.0.0.1:0\n", "localhost = direct\n");
        byte[] hello = Hellos.clientHello("localhost");
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(hello);
            c.getInputStream().readAllBytes();
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("destination_forbidden", field(r, "reason"), r);
        assertEquals("deny", field(r, "decision"), r);
    }

    @Test
    void plainTcpListenerForwardsToItsTarget() throws Exception {
        try (TcpServer up = new TcpServer(s -> s.getOutputStream().write(s.getInputStream().readNBytes(4)))) {
            lnm = Lnm.start(dir, """
                    listen.opcua = 127.0.0.1:0
                    listen.opcua.mode = tcp
                    listen.opcua.target = 127.0.0.1:%d
                    """.formatted(up.port()), "");
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("opcua"))) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write("opc!".getBytes(StandardCharsets.US_ASCII));
                assertEquals("opc!", new String(c.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            }
            String r = lnm.awaitAudit(1).get(0);
            assertEquals("allow", field(r, "decision"), r);
            assertEquals("fixed", field(r, "via"), r);
            assertEquals("opcua", field(r, "listener"), r);
        }
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
