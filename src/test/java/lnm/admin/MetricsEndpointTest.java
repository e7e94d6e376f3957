package lnm.admin;

import static lnm.testing.Lnm.field;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TestPki;
import lnm.testing.TlsEchoServer;

/** {@code /metrics} and the small endpoints, against traffic the test made itself. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
    @TempDir
    Path dir;
    TlsEchoServer tls;
    Lnm lnm;

    @BeforeEach
    void setUp() throws Exception {
        tls = new TlsEchoServer();
        lnm = Lnm.start(dir, """
                level = 3
                listen.https = 127.0.0.1:0
                listen.mqtts = 127.0.0.1:0
                timeouts.helloSeconds = 2
                admin.listen = 127.0.0.1:0
                """, """
                management.azure.com = 127.0.0.1:%d
                # a name, so the resolver is asked
                *.azure.com = localhost:%d
                """.formatted(tls.port(), tls.port()));
    }

    @AfterEach
    void tearDown() throws Exception {
        lnm.close();
        tls.close();
    }

    static SSLSocket tlsClient(int port, String sni) throws Exception {
        SSLSocket s = (SSLSocket) TestPki.get().clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        s.setSSLParameters(p);
        return s;
    }

    static void echoOnce(int port, String sni) throws Exception {
        try (SSLSocket s = tlsClient(port, sni)) {
            s.startHandshake();
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping\n", new String(new DataInputStream(s.getInputStream()).readNBytes(5), StandardCharsets.US_ASCII));
        }
    }

    /** Sends raw bytes and reads until lnm closes (an alert, then EOF). */
    static void sendAndDrain(int port, byte[] bytes) throws Exception {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(bytes);
            c.getInputStream().readAllBytes();
        }
    }

    @Test
    void countsMatchTheTrafficAndTheTextIsValid() throws Exception {
        for (int i = 0; i < 3; i++) {
            echoOnce(lnm.port("https"), "management.azure.com");
        }
        echoOnce(lnm.port("https"), "x.azure.com");
        sendAndDrain(lnm.port("https"), Hellos.clientHello("evil.example.org"));
        sendAndDrain(lnm.port("https"), Hellos.clientHello("evil.example.org"));
        sendAndDrain(lnm.port("mqtts"), Hellos.clientHello("other.example.net"));
        sendAndDrain(lnm.port("https"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        List<String> audit = lnm.awaitAudit(8);
        long up = 0;
        long down = 0;
        for (String r : audit) {
            if (field(r, "listener").equals("https")) {
                up += Long.parseLong(field(r, "bytesUp"));
                down += Long.parseLong(field(r, "bytesDown"));
            }
        }
        long wantUp = up;
        long wantDown = down;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, PromParser.Family> m = AdminHttp.metrics(lnm);
            for (PromParser.Family f : m.values()) {
                assertNotNull(f.help, "HELP for " + f.name);
            }
            String c = "lnm_connections_total";
            assertEquals(3.0, PromParser.value(m, c, "listener", "https", "decision", "allow", "reason",
                    "allowlist:management.azure.com"));
            assertEquals(1.0, PromParser.value(m, c, "listener", "https", "decision", "allow", "reason", "allowlist:*.azure.com"));
            assertEquals(2.0, PromParser.value(m, c, "listener", "https", "decision", "deny", "reason", "not_allowlisted"));
            assertEquals(1.0, PromParser.value(m, c, "listener", "mqtts", "decision", "deny", "reason", "not_allowlisted"));
            assertEquals(1.0, PromParser.value(m, c, "listener", "https", "decision", "deny", "reason", "malformed_hello"));
            assertEquals(8.0, PromParser.sum(m, c));
            assertEquals(1.0, PromParser.value(m, "lnm_hello_failures_total", "reason", "malformed_hello"));
            assertEquals(0.0, PromParser.value(m, "lnm_hello_failures_total", "reason", "hello_timeout"));
            assertEquals(1.0, PromParser.sum(m, "lnm_hello_failures_total"));
            assertEquals((double) wantUp, PromParser.value(m, "lnm_bytes_total", "listener", "https", "direction", "up"));
            assertEquals((double) wantDown, PromParser.value(m, "lnm_bytes_total", "listener", "https", "direction", "down"));
            assertEquals(0.0, PromParser.value(m, "lnm_bytes_total", "listener", "mqtts", "direction", "down"));
            assertEquals(4.0, PromParser.value(m, "lnm_upstream_connect_seconds_count"));
            assertEquals(4.0, PromParser.value(m, "lnm_upstream_connect_seconds_bucket", "le", "+Inf"));
            assertEquals("histogram", m.get("lnm_upstream_connect_seconds").type);
            assertEquals(1.0, PromParser.value(m, "lnm_dns_lookups_total", "result", "resolved"));
            assertEquals(0.0, PromParser.value(m, "lnm_dns_lookups_total", "result", "failed"));
            assertEquals(0.0, PromParser.value(m, "lnm_dns_lookups_total", "result", "cache_hit"));
            assertEquals(0.0, PromParser.value(m, "lnm_dns_forward_mismatch_total"));
            assertEquals("counter", m.get("lnm_dns_forward_mismatch_total").type);
            assertEquals(8.0, PromParser.value(m, "lnm_audit_records_written_total"));
            assertEquals(0.0, PromParser.value(m, "lnm_audit_records_dropped_total"));
            assertEquals(0.0, PromParser.value(m, "lnm_active_connections"));
            assertEquals(0.0, PromParser.sum(m, "lnm_config_reloads_total"));
            assertEquals(1.0, PromParser.value(m, "lnm_ready"));
            assertEquals(1.0, PromParser.value(m, "lnm_listener_bound", "listener", "https", "mode", "tls"));
            assertEquals(1.0, PromParser.value(m, "lnm_listener_bound", "listener", "mqtts", "mode", "tls"));
            assertEquals(2.0, PromParser.value(m, "lnm_allowlist_rules"));
            assertEquals("counter", m.get("lnm_connections_total").type);
            assertTrue(PromParser.value(m, "lnm_jvm_heap_used_bytes") > 0);
            assertTrue(PromParser.value(m, "lnm_jvm_direct_used_bytes") > 0); // the loops' scratch buffers
            assertTrue(PromParser.value(m, "lnm_uptime_seconds") >= 0);
            assertEquals(1.0, PromParser.sum(m, "lnm_build_info", "level", "3"));
        });
    }

    @Test
    void smallEndpointsAnswerAsDocumented() throws Exception {
        assertEquals(200, AdminHttp.get(lnm, "/healthz").statusCode());
        assertEquals("ok\n", AdminHttp.get(lnm, "/healthz").body());
        HttpResponse<String> ready = AdminHttp.get(lnm, "/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().startsWith("ready: 2/2 listeners bound"), ready.body());
        // the PID of the answering process, which keepalived's track script compares with lnm.service's
        assertTrue(ready.body().contains("\npid " + ProcessHandle.current().pid() + "\n"), ready.body());
        HttpResponse<String> metrics = AdminHttp.get(lnm, "/metrics");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElse(""));
        HttpResponse<String> head = AdminHttp.request("HEAD", AdminHttp.base(lnm) + "/metrics");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(405, AdminHttp.request("POST", AdminHttp.base(lnm) + "/metrics").statusCode());
        assertEquals(404, AdminHttp.get(lnm, "/nothing-here").statusCode());
        HttpResponse<String> page = AdminHttp.get(lnm, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        assertTrue(page.body().contains("<meta http-equiv=\"refresh\""), "refreshes itself");
    }

    @Test
    void connectionsListsALiveStream() throws Exception {
        try (SSLSocket s = tlsClient(lnm.port("https"), "management.azure.com")) {
            s.startHandshake();
            s.getOutputStream().write(new byte[1000]);
            new DataInputStream(s.getInputStream()).readNBytes(1000);
            HttpResponse<String> r = AdminHttp.get(lnm, "/connections");
            assertEquals(200, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            String body = r.body();
            assertTrue(body.startsWith("{\"active\":1,\"connections\":[{"), body);
            assertTrue(body.contains("\"listener\":\"https\""), body);
            assertTrue(body.contains("\"sni\":\"management.azure.com\""), body);
            assertTrue(body.contains("\"state\":\"RELAYING\""), body);
            assertTrue(body.contains("\"upstream\":\"127.0.0.1:" + tls.port() + "\""), body);
            assertTrue(body.contains("\"client\":\"127.0.0.1:" + s.getLocalPort() + "\""), body);
            assertTrue(body.matches("(?s).*\"bytesUp\":[1-9][0-9]{3,}.*"), body);
            assertTrue(body.contains("\"ageMs\":"), body);
            // live bytes reach the counter while the stream still runs (sampled once a second)
            await().atMost(Duration.ofSeconds(5)).until(() -> PromParser.value(AdminHttp.metrics(lnm), "lnm_bytes_total",
                    "listener", "https", "direction", "down") >= 1000);
        }
        lnm.awaitAudit(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> AdminHttp.get(lnm, "/connections").body()
                .equals("{\"active\":0,\"connections\":[]}\n"));
    }
}
