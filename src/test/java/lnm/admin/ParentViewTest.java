package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Main;
import lnm.testing.Lnm;
import lnm.testing.RawHttp;

/** Parents on /metrics, the status page and in {@code lnm explain}, from a running appliance. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParentViewTest {
    @TempDir
    Path dir;

    private static String up(Lnm lnm, String parent) throws Exception {
        for (String line : AdminHttp.get(lnm, "/metrics").body().split("\n")) {
            if (line.startsWith("lnm_parent_up{parent=\"" + parent + "\"}")) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "missing";
    }

    @Test
    void activeChecksShowOnMetricsAndStatusPage() throws Exception {
        int dead = RawHttp.closedPort();
        try (ServerSocket alive = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Lnm lnm = Lnm.start(dir, """
                     level = 3
                     listen.https = 127.0.0.1:0
                     admin.listen = 127.0.0.1:0
                     parent = 127.0.0.1:%d, 127.0.0.1:%d
                     parent.checkSeconds = 0.2
                     """.formatted(dead, alive.getLocalPort()), "*.azure.com = parent\n")) {
            String a = "127.0.0.1:" + dead;
            String b = "127.0.0.1:" + alive.getLocalPort();
            await().atMost(Duration.ofSeconds(30)).until(() -> up(lnm, a).equals("0"));
            assertEquals("1", up(lnm, b));
            String metrics = AdminHttp.get(lnm, "/metrics").body();
            assertTrue(metrics.contains("lnm_parent_attempts_total{parent=\"" + a + "\"} 0"), metrics);
            assertTrue(metrics.contains("lnm_parent_failures_total{parent=\"" + b + "\"} 0"), metrics);
            String page = AdminHttp.get(lnm, "/").body();
            assertTrue(page.contains("data-parent=\"" + a + "\""), page);
            assertTrue(page.contains("tcp check of " + a), page);

            try (ServerSocket back = new ServerSocket()) {
                back.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), dead), 50);
                await().atMost(Duration.ofSeconds(30)).until(() -> up(lnm, a).equals("1"));
            }
        }
    }

    @Test
    void explainShowsTheOrder() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("allowlist.properties"), "*.azure.com = parent\n");
        java.nio.file.Files.writeString(dir.resolve("lnm.properties"), """
                listen.https = 443
                parent = 10.4.0.10, 10.4.0.11:8443
                """);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Main.run(new PrintStream(buf, true, StandardCharsets.UTF_8),
                new String[] {"explain", "--config", dir.resolve("lnm.properties").toString(), "x.azure.com"});
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("order:       failover: 10.4.0.10:443, then 10.4.0.11:8443 (the first one up"), out);

        java.nio.file.Files.writeString(dir.resolve("lnm.properties"), """
                listen.https = 443
                parent = 10.4.0.10, 10.4.0.11:8443
                parent.balance = round-robin
                """);
        buf.reset();
        Main.run(new PrintStream(buf, true, StandardCharsets.UTF_8),
                new String[] {"explain", "--config", dir.resolve("lnm.properties").toString(), "x.azure.com"});
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("order:       round-robin over 10.4.0.10:443, 10.4.0.11:8443"),
                buf.toString(StandardCharsets.UTF_8));
    }
}
