package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Main;
import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.RawHttp;

/** The egress proxies on /metrics, the status page, {@code lnm explain} and {@code lnm check --print}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EgressViewTest {
    @TempDir
    Path dir;

    @Test
    void aProxyFoundDownShowsOnMetricsAndStatusPage() throws Exception {
        int dead = RawHttp.closedPort();
        try (Lnm lnm = Lnm.start(dir, """
                level = 4
                listen.https = 127.0.0.1:0
                admin.listen = 127.0.0.1:0
                egress.proxy = 127.0.0.1:%d
                """.formatted(dead), "management.azure.com = direct\n")) {
            String p = "127.0.0.1:" + dead;
            assertEquals("1", metric(lnm, "lnm_egress_proxy_up", p), "up until a connection finds otherwise");
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
                c.setSoTimeout(20_000);
                c.getOutputStream().write(Hellos.clientHello("management.azure.com"));
                c.getInputStream().readAllBytes();
            }
            lnm.awaitAudit(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> metric(lnm, "lnm_egress_proxy_up", p).equals("0"));
            assertEquals("1", metric(lnm, "lnm_egress_proxy_failures_total", p));
            assertEquals("1", metric(lnm, "lnm_egress_proxy_attempts_total", p), "one connection, one attempt");
            String metrics = AdminHttp.get(lnm, "/metrics").body();
            assertTrue(metrics.contains("reason=\"proxy_unreachable\""), metrics);
            String page = AdminHttp.get(lnm, "/").body();
            assertTrue(page.contains("Egress proxies") && page.contains("data-parent=\"" + p + "\""), page);
        }
    }

    @Test
    void explainSaysThroughWhichProxyOrThatTheNameBypassesIt() throws Exception {
        Files.writeString(dir.resolve("allowlist.properties"), "*.azure.com = direct\nhistorian.plant.local = direct\n");
        Files.writeString(dir.resolve("lnm.properties"), """
                listen.https = 443
                egress.proxy = proxy-a.corp:3128, proxy-b.corp:3128
                egress.proxy.bypass = *.plant.local
                """);
        String out = run("explain", "--config", dir.resolve("lnm.properties").toString(), "x.azure.com");
        assertTrue(out.contains("through:     proxy proxy-a.corp:3128, proxy-b.corp:3128 (failover): CONNECT x.azure.com:443;"), out);
        out = run("explain", "--config", dir.resolve("lnm.properties").toString(), "historian.plant.local");
        assertTrue(out.contains("through:     direct, not the egress proxy (egress.proxy.bypass = *.plant.local)"), out);
    }

    @Test
    void checkPrintShowsTheCredentialsPathNotTheSecretAndRefusesAnOpenFile() throws Exception {
        Path cred = dir.resolve("proxy.cred");
        Files.writeString(cred, "lnm:TopSecret\n");
        Files.setPosixFilePermissions(cred, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("allowlist.properties"), "*.azure.com = direct\n");
        Files.writeString(dir.resolve("lnm.properties"), """
                listen.https = 443
                egress.proxy = proxy-a.corp:3128
                egress.proxy.credentials = proxy.cred
                """);
        String out = run("check", "--config", dir.resolve("lnm.properties").toString(), "--print");
        assertTrue(out.contains("egress.proxy.credentials = proxy.cred"), out);
        assertFalse(out.contains("TopSecret"), out);
        assertFalse(out.contains(java.util.Base64.getEncoder().encodeToString("lnm:TopSecret".getBytes(StandardCharsets.US_ASCII))), out);

        Files.setPosixFilePermissions(cred, PosixFilePermissions.fromString("rw-r--r--"));
        out = run("check", "--config", dir.resolve("lnm.properties").toString());
        assertTrue(out.contains("lnm.properties:3: egress.proxy.credentials: ") && out.contains("chmod 600"), out);
        assertFalse(out.contains("TopSecret"), out);
    }

    private static String run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Main.run(new PrintStream(buf, true, StandardCharsets.UTF_8), args);
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static String metric(Lnm lnm, String name, String proxy) throws Exception {
        for (String line : AdminHttp.get(lnm, "/metrics").body().split("\n")) {
            if (line.startsWith(name + "{proxy=\"" + proxy + "\"}")) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "missing";
    }

}
