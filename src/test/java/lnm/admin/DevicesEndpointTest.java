package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.IpLiteral;
import lnm.proxy.ProxyV2;
import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TlsEchoServer;

/** {@code /devices} and the status page's Devices card, after real connections through a running appliance. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DevicesEndpointTest {
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
                listen.child = 127.0.0.1:0
                listen.child.acceptProxyProtocol = 127.0.0.1/32
                timeouts.helloSeconds = 2
                admin.listen = 127.0.0.1:0
                """, """
                management.azure.com = 127.0.0.1:%d
                """.formatted(tls.port()));
    }

    @AfterEach
    void tearDown() throws Exception {
        lnm.close();
        tls.close();
    }

    @Test
    void devicesAreListedByClientAndByTrustedOrigin() throws Exception {
        MetricsEndpointTest.echoOnce(lnm.port("https"), "management.azure.com");
        MetricsEndpointTest.echoOnce(lnm.port("https"), "management.azure.com");
        MetricsEndpointTest.sendAndDrain(lnm.port("https"), Hellos.clientHello("evil.example.org"));
        // a child lnm's connection on behalf of the device 10.2.0.7, asking for a name the list lacks
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(ProxyV2.encode(new InetSocketAddress(IpLiteral.address("10.2.0.7"), 40000),
                new InetSocketAddress(IpLiteral.address("10.3.0.20"), 443)));
        b.write(Hellos.clientHello("unlisted.example.org"));
        MetricsEndpointTest.sendAndDrain(lnm.port("child"), b.toByteArray());
        lnm.awaitAudit(4);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = AdminHttp.get(lnm, "/devices");
            assertEquals(200, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            String json = r.body();
            assertTrue(json.startsWith("{\"devices\":2,"), json);
            assertTrue(json.contains("{\"device\":\"127.0.0.1\","), json);
            assertTrue(json.contains("\"allowed\":2,\"denied\":1,\"wouldDeny\":0,\"fingerprintChanges\":0"), json);
            assertTrue(json.contains("{\"name\":\"management.azure.com\",\"count\":2,"), json);
            assertTrue(json.contains("{\"name\":\"evil.example.org\",\"count\":1,"), json);
            assertTrue(json.contains("{\"device\":\"10.2.0.7\","), json);
            assertTrue(json.contains("\"allowed\":0,\"denied\":1,"), json);
            assertTrue(json.contains("{\"name\":\"unlisted.example.org\",\"count\":1,"), json);
        });

        String page = AdminHttp.get(lnm, "/").body();
        assertTrue(page.contains("<table id=\"devices\">"), page);
        assertTrue(page.contains("data-device=\"127.0.0.1\""), page);
        assertTrue(page.contains("data-device=\"10.2.0.7\""), page);
        assertTrue(page.contains("<code>unlisted.example.org</code> 1"), page);

        Map<String, PromParser.Family> m = AdminHttp.metrics(lnm);
        assertEquals(2.0, PromParser.value(m, "lnm_devices"));
        assertEquals(0.0, PromParser.value(m, "lnm_device_fingerprint_changes_total"));
        assertEquals(0.0, PromParser.value(m, "lnm_devices_evicted_total"));
    }
}
