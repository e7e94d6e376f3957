package lnm.http;

import static lnm.testing.Lnm.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.HttpsTestServer;
import lnm.testing.Lnm;
import lnm.testing.TestPki;
import lnm.testing.RawHttp;

/**
 * An lnm {@code http} listener on loopback, driven by real {@code curl} (skipped when absent) and
 * by hand-written requests, in front of the JDK's HTTP and HTTPS servers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpProxyIntegrationTest {
    @TempDir
    Path dir;
    HttpsTestServer https;
    HttpsTestServer http;
    Lnm lnm;

    @BeforeEach
    void setUp() throws Exception {
        https = HttpsTestServer.https();
        http = HttpsTestServer.http();
    }

    @AfterEach
    void tearDown() {
        if (lnm != null) {
            lnm.close();
        }
        https.close();
        http.close();
    }

    private void startLnm(String extra) throws Exception {
        lnm = Lnm.start(dir, """
                level = 3
                listen.proxy = 127.0.0.1:0
                listen.proxy.mode = http
                timeouts.helloSeconds = 2
                """ + extra, """
                allowed.example = 127.0.0.1:%d
                management.azure.com = 127.0.0.1:%d
                plain.example = 127.0.0.1:%d
                other.example = 127.0.0.1:%d
                """.formatted(https.port(), https.port(), http.port(), http.port()));
    }

    private String proxy() {
        return "http://127.0.0.1:" + lnm.port("proxy");
    }

    private String cacert() {
        return TestPki.get().certPem.toString();
    }

    // ---- CONNECT -------------------------------------------------------------------------

    @Test
    void curlThroughConnectTunnelReachesTheAllowedHttpsServer() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-x", proxy(), "--cacert", cacert(), "https://allowed.example/");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello", r.out(), r.toString());
        assertEquals(List.of("GET allowed.example /"), https.requests);
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(a, "decision"), a);
        assertEquals("allowlist:allowed.example", field(a, "reason"), a);
        assertEquals("allowed.example", field(a, "host"), a);
        assertEquals("allowed.example", field(a, "sni"), a);
        assertEquals("CONNECT", field(a, "method"), a);
        assertEquals("200", field(a, "status"), a);
        assertEquals("fixed", field(a, "via"), a);
        assertEquals(null, field(a, "path"), a);
    }

    @Test
    void curlToADeniedHostSees403WithTheReason() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-v", "-x", proxy(), "--cacert", cacert(), "https://denied.example/");
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("CONNECT tunnel failed, response 403"), r.toString());
        assertTrue(r.err().contains("< HTTP/1.1 403 Forbidden"), r.toString());
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(a, "decision"), a);
        assertEquals("not_allowlisted", field(a, "reason"), a);
        assertEquals("denied.example", field(a, "host"), a);
        assertEquals("403", field(a, "status"), a);
        assertEquals("CONNECT", field(a, "method"), a);
    }

    @Test
    void deniedConnectBodyNamesTheHostAndReason() throws Exception {
        startLnm("");
        String resp = exchange("CONNECT denied.example:443 HTTP/1.1\r\nHost: denied.example:443\r\n\r\n");
        assertTrue(resp.startsWith("HTTP/1.1 403 Forbidden\r\n"), resp);
        assertTrue(resp.contains("Connection: close\r\n"), resp);
        assertTrue(resp.contains("Content-Type: text/plain"), resp);
        assertTrue(resp.endsWith("\r\n\r\nlnm: denied.example is not on the allowlist (not_allowlisted)\n"), resp);
    }

    @Test
    void connectToAPortNotListedIsRefused() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-x", proxy(), "--cacert", cacert(), "https://allowed.example:8443/");
        assertTrue(r.err().contains("CONNECT tunnel failed, response 403"), r.toString());
        assertEquals("port_not_allowed", field(lnm.awaitAudit(1).get(0), "reason"));
    }

    @Test
    void connectToAnUnreachableUpstreamIs502() throws Exception {
        Curl.assumeAvailable();
        int closed;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = ss.getLocalPort();
        }
        lnm = Lnm.start(dir, "listen.proxy = 127.0.0.1:0\nlisten.proxy.mode = http\n", "allowed.example = 127.0.0.1:" + closed + "\n");
        Curl.Result r = Curl.run("-sS", "-x", proxy(), "--cacert", cacert(), "https://allowed.example/");
        assertTrue(r.err().contains("CONNECT tunnel failed, response 502"), r.toString());
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("upstream_unreachable", field(a, "reason"), a);
        assertEquals("502", field(a, "status"), a);
    }

    @Test
    void tlsHelloNamingAnotherHostThanConnectIsRefused() throws Exception {
        startLnm("");
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), lnm.port("proxy"))) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("CONNECT allowed.example:443 HTTP/1.1\r\nHost: allowed.example:443\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", RawHttp.readHead(raw.getInputStream()));
            // management.azure.com is allowlisted too: the point is that it is not the CONNECT host.
            SSLSocket s = (SSLSocket) TestPki.get().clientContext().getSocketFactory()
                    .createSocket(raw, "management.azure.com", lnm.port("proxy"), false);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("management.azure.com")));
            s.setSSLParameters(p);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);
            assertTrue(e.getMessage().contains("access_denied"), e.getMessage());
        }
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(a, "decision"), a);
        assertEquals("sni_mismatch", field(a, "reason"), a);
        assertEquals("allowed.example", field(a, "host"), a);
        assertEquals("management.azure.com", field(a, "sni"), a);
        assertEquals("SNI management.azure.com differs from the CONNECT host allowed.example", field(a, "error"), a);
        assertTrue(https.requests.isEmpty());
    }

    @Test
    void withoutTheSniCheckTheTunnelCarriesAnything() throws Exception {
        startLnm("http.connect.requireMatchingSni = false\n");
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), lnm.port("proxy"))) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("CONNECT plain.example:443 HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", RawHttp.readHead(raw.getInputStream()));
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String resp = new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(resp.startsWith("HTTP/1.1 200") && resp.endsWith("hello"), resp);
        }
    }

    // ---- plain HTTP ------------------------------------------------------------------------

    @Test
    void curlPlainHttpThroughTheProxyIsRoutedByHost() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-x", proxy(), "http://plain.example/a/b?token=secret");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello", r.out(), r.toString());
        // forwarded as received: the origin sees the absolute-form target
        assertEquals(List.of("GET plain.example http://plain.example/a/b?token=secret"), http.requests);
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(a, "decision"), a);
        assertEquals("plain.example", field(a, "host"), a);
        assertEquals("GET", field(a, "method"), a);
        assertEquals("/a/b", field(a, "path"), a); // the query is not logged: it may carry tokens
        assertEquals(null, field(a, "sni"), a);
    }

    @Test
    void curlOriginFormWithAHostHeaderIsRoutedByHost() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-H", "Host: plain.example", "http://127.0.0.1:" + lnm.port("proxy") + "/x");
        assertEquals("hello", r.out(), r.toString());
        assertEquals(List.of("GET plain.example /x"), http.requests);
    }

    @Test
    void curlPlainHttpToADeniedHostGets403() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-w", "\n%{http_code}", "-x", proxy(), "http://denied.example/");
        assertEquals("lnm: denied.example is not on the allowlist (not_allowlisted)\n\n403", r.out(), r.toString());
    }

    @Test
    void keepAliveSecondRequestToAnotherHostIsRefused() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-x", proxy(), "-w", "|%{http_code}|%{num_connects}\n",
                "http://plain.example/one", "http://denied.example/two");
        assertEquals("hello|200|1\nlnm: denied.example is not on the allowlist (not_allowlisted)\n|403|0\n", r.out(), r.toString());
        assertEquals(List.of("GET plain.example http://plain.example/one"), http.requests);
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(a, "decision"), a);
        assertEquals("not_allowlisted", field(a, "reason"), a);
        assertEquals("denied.example", field(a, "host"), a);
        assertEquals("/two", field(a, "path"), a);
        assertEquals("2", field(a, "requests"), a);
        assertEquals(null, field(a, "rule"), a); // the refused request matched no rule
        assertEquals("403", field(a, "status"), a);
    }

    @Test
    void keepAliveRequestsToTheSameHostAllGoThrough() throws Exception {
        Curl.assumeAvailable();
        startLnm("");
        Curl.Result r = Curl.run("-sS", "-x", proxy(), "-w", "|%{num_connects}\n", "-d", "abc",
                "http://plain.example/1", "http://plain.example/2", "http://plain.example/3");
        assertEquals("hello|1\nhello|0\nhello|0\n", r.out(), r.toString());
        assertEquals(3, http.requests.size(), http.requests.toString());
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(a, "decision"), a);
        assertEquals("3", field(a, "requests"), a);
    }

    @Test
    void keepAliveToAnotherAllowedHostIsRefusedAsHostChanged() throws Exception {
        startLnm("");
        String resp = exchange("GET /1 HTTP/1.1\r\nHost: plain.example\r\n\r\nGET /2 HTTP/1.1\r\nHost: other.example\r\n\r\n");
        assertTrue(resp.startsWith("HTTP/1.1 200"), resp);
        assertTrue(resp.endsWith("(host_changed)\n"), resp);
        assertEquals(List.of("GET plain.example /1"), http.requests);
    }

    @Test
    void chunkedBodiesAreFramedAndTheNextRequestChecked() throws Exception {
        startLnm("");
        String resp = exchange("POST /1 HTTP/1.1\r\nHost: plain.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nGET /\r\n0\r\n\r\n"
                + "GET /2 HTTP/1.1\r\nHost: denied.example\r\n\r\n");
        assertTrue(resp.startsWith("HTTP/1.1 200"), resp);
        assertTrue(resp.endsWith("(not_allowlisted)\n"), resp);
        assertEquals(List.of("POST plain.example /1 body=5"), http.requests);
    }

    @Test
    void contentLengthWithTransferEncodingIsRefused() throws Exception {
        startLnm("");
        String resp = exchange("POST / HTTP/1.1\r\nHost: plain.example\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n");
        assertTrue(resp.startsWith("HTTP/1.1 400 Bad Request\r\n"), resp);
        assertTrue(resp.endsWith("(http_smuggling)\n"), resp);
        assertEquals("http_smuggling", field(lnm.awaitAudit(1).get(0), "reason"));
        assertTrue(http.requests.isEmpty());
    }

    @Test
    void smugglingInAFollowingRequestStopsThereWith400() throws Exception {
        startLnm("");
        String resp = exchange("GET /1 HTTP/1.1\r\nHost: plain.example\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: plain.example\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc");
        assertTrue(resp.startsWith("HTTP/1.1 200"), resp);
        assertTrue(resp.contains("HTTP/1.1 400 Bad Request"), resp);
        assertTrue(resp.endsWith("(http_smuggling)\n"), resp);
        assertEquals(List.of("GET plain.example /1"), http.requests);
    }

    @Test
    void malformedAndTlsBytesGet400AtOnce() throws Exception {
        startLnm("");
        assertTrue(exchange("GET / HTTP/1.1\nHost: plain.example\n\n").startsWith("HTTP/1.1 400 "));
        byte[] hello = Hellos.clientHello("allowed.example");
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("proxy"))) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(hello, 0, 5);
            String resp = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(resp.startsWith("HTTP/1.1 400 Bad Request"), resp);
        }
    }

    @Test
    void aHeadThatNeverEndsGets408AtTheHelloTimeout() throws Exception {
        startLnm("");
        long t0 = System.nanoTime(); // before the connect: lnm's timer cannot have started earlier
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("proxy"))) {
            c.setSoTimeout(30_000);
            c.getOutputStream().write("GET / HTTP/1.1\r\nHost: plain.example\r\n".getBytes(StandardCharsets.US_ASCII));
            String resp = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(resp.startsWith("HTTP/1.1 408 Request Timeout\r\n"), resp);
            // not before the timeout; how soon after it is a timing, judged by make load-test (LimitsTest)
            assertTrue(ms >= 1_500, "answered after " + ms + " ms");
        }
        String a = lnm.awaitAudit(1).get(0);
        assertEquals("hello_timeout", field(a, "reason"), a);
        assertEquals("408", field(a, "status"), a);
    }

    @Test
    void sourcesApplyToHttpListeners() throws Exception {
        startLnm("sources = 10.0.0.0/8\n");
        String resp = exchange("CONNECT allowed.example:443 HTTP/1.1\r\n\r\n");
        assertTrue(resp.startsWith("HTTP/1.1 403 Forbidden"), resp);
        assertTrue(resp.endsWith("(source_not_allowed)\n"), resp);
    }

    // ---- chaining ---------------------------------------------------------------------------

    @Test
    void level3ConnectGoesToTheLevel4TlsListenerWithProxyV2() throws Exception {
        Curl.assumeAvailable();
        Path l4dir = java.nio.file.Files.createDirectories(dir.resolve("l4"));
        Path l3dir = java.nio.file.Files.createDirectories(dir.resolve("l3"));
        try (Lnm l4 = Lnm.start(l4dir, """
                level = 4
                listen.https = 127.0.0.1:0
                listen.https.acceptProxyProtocol = 127.0.0.1/32
                """, "allowed.example = 127.0.0.1:" + https.port() + "\n")) {
            lnm = Lnm.start(l3dir, """
                    level = 3
                    listen.proxy = 127.0.0.1:0
                    listen.proxy.mode = http
                    parent = 127.0.0.1:%d
                    parent.proxyProtocol = v2
                    """.formatted(l4.port("https")), "allowed.example = parent\n");
            Curl.Result r = Curl.run("-sS", "-x", proxy(), "--cacert", cacert(), "https://allowed.example/");
            assertEquals("hello", r.out(), r.toString());
            String a3 = lnm.awaitAudit(1).get(0);
            String a4 = l4.awaitAudit(1).get(0);
            assertEquals("parent", field(a3, "via"), a3);
            assertEquals("allow", field(a4, "decision"), a4);
            assertEquals("allowed.example", field(a4, "sni"), a4);
            assertEquals(field(a3, "client"), field(a4, "origin"), a4); // the level-2 client, carried by PROXY v2
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Sends {@code request}, half-closes, and returns everything lnm answers until it closes. */
    private String exchange(String request) throws Exception {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("proxy"))) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            c.getInputStream().transferTo(got);
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

}
