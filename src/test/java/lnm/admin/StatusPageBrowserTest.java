package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TlsEchoServer;

/**
 * The status page as a person sees it: Debian's headless Chromium loads it from the admin
 * endpoint after the test made traffic, the rendered DOM must show the counters and charts,
 * and a screenshot goes to {@code target/status-page.png} for people to look at.
 */
// Usually about 15 s; the margin is for a browser start and the chart history on a busy two-core machine.
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOT = Path.of("target", "status-page.png");

    @TempDir
    Path dir;
    TlsEchoServer tls;
    Lnm lnm;
    final AtomicBoolean streaming = new AtomicBoolean(true);
    final List<CompletableFuture<Void>> streams = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            System.out.println("StatusPageBrowserTest skipped: " + CHROMIUM + " is missing (bash .ci/install-test-deps.sh installs it)");
        }
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: install Debian's chromium (.ci/install-test-deps.sh)");
        tls = new TlsEchoServer();
        lnm = Lnm.start(dir, """
                level = 3
                listen.https = 127.0.0.1:0
                listen.mqtts = 127.0.0.1:0
                admin.listen = 127.0.0.1:0
                """, """
                management.azure.com = 127.0.0.1:%d
                *.azure.com = 127.0.0.1:%d
                edge.plant.local = direct
                """.formatted(tls.port(), tls.port()));
    }

    @AfterEach
    void tearDown() throws Exception {
        streaming.set(false);
        for (CompletableFuture<Void> f : streams) {
            f.get(10, TimeUnit.SECONDS);
        }
        if (lnm != null) {
            lnm.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    /** A TLS session that keeps sending and reading back 16 KiB every 100 ms until the test ends. */
    private CompletableFuture<Void> stream(int port, String sni) {
        return CompletableFuture.runAsync(() -> {
            try (SSLSocket s = MetricsEndpointTest.tlsClient(port, sni)) {
                s.startHandshake();
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] b = new byte[16 * 1024];
                for (int i = 0; streaming.get(); i++) {
                    Arrays.fill(b, (byte) i);
                    out.write(b);
                    assertArrayEquals(b, in.readNBytes(b.length));
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private Process chromium(Path profile, Path stdout, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                .redirectError(dir.resolve(profile.getFileName() + ".stderr").toFile()).start();
    }

    private static void finish(Process p) throws InterruptedException {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish within 30 s");
        }
    }

    @Test
    void rendersCountersAndChartsForTheTrafficMade() throws Exception {
        int https = lnm.port("https");
        int mqtts = lnm.port("mqtts");
        streams.add(stream(https, "management.azure.com"));
        streams.add(stream(mqtts, "iot.azure.com"));
        // a few seconds of mixed traffic, so the charts have a shape
        for (int second = 0; second < 6; second++) {
            MetricsEndpointTest.echoOnce(https, "management.azure.com");
            MetricsEndpointTest.sendAndDrain(https, Hellos.clientHello("telemetry.vendor-cloud.example"));
            if (second % 2 == 0) {
                MetricsEndpointTest.sendAndDrain(mqtts, Hellos.clientHello("updates.example.org"));
            }
            Thread.sleep(500);
        }
        MetricsEndpointTest.sendAndDrain(https, "SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
        // 6 allowed + 6 + 3 denied + 1 malformed, all ended; 2 streams still live
        lnm.awaitAudit(16);
        await().atMost(Duration.ofSeconds(5)).until(() -> PromParser.sum(AdminHttp.metrics(lnm), "lnm_connections_total") == 16);
        // The charts draw one point per second sampled since start: wait until the page served
        // has enough of them, however slowly this machine got here (history only grows).
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String page = AdminHttp.get(lnm, "/").body();
            return points(page, "active") >= 5 && points(page, "up") >= 5;
        });

        String url = AdminHttp.base(lnm) + "/";
        Files.createDirectories(SCREENSHOT.getParent());
        Files.deleteIfExists(SCREENSHOT);
        Path dom = dir.resolve("dom.html");
        long t0 = System.nanoTime();
        // one browser run does both: the DOM on stdout, the picture to the file
        Process browser = chromium(dir.resolve("profile"), dom, "--dump-dom",
                "--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1280,1600", url);
        finish(browser);
        System.out.println("chromium took " + (System.nanoTime() - t0) / 1_000_000 + " ms");

        String html = Files.readString(dom);
        assertTrue(html.contains("<svg id=\"chart-connections\""), "connections chart in the DOM");
        assertTrue(html.contains("<svg id=\"chart-throughput\""), "throughput chart in the DOM");
        assertTrue(points(html, "active") >= 5, "the active-connections line has points");
        assertTrue(points(html, "up") >= 5, "the throughput line has points");
        assertTrue(html.contains("id=\"tile-allowed\">6<"), "allowed counter");
        assertTrue(html.contains("id=\"tile-denied\">10<"), "denied counter");
        assertTrue(html.contains("id=\"tile-active\">2<"), "live streams");
        assertTrue(html.contains("<tr data-denied=\"telemetry.vendor-cloud.example\"><td><code>telemetry.vendor-cloud.example"
                + "</code></td><td class=\"n\">6</td>"), "top denied name with its count");
        assertTrue(html.contains("<tr data-denied=\"updates.example.org\">"));
        assertTrue(html.contains("<tr data-rule=\"management.azure.com\"><td><code>management.azure.com</code></td><td>127.0.0.1:"
                + tls.port() + "</td><td class=\"n allow\">6</td>"), "per-rule count");
        assertTrue(html.contains("<tr data-listener=\"https\">"));
        Matcher live = Pattern.compile("<td>relaying</td>").matcher(html);
        int rows = 0;
        while (live.find()) {
            rows++;
        }
        assertEquals(2, rows, "live connections table");

        byte[] png = Files.readAllBytes(SCREENSHOT);
        assertTrue(png.length > 20_000, "a real screenshot, " + png.length + " bytes");
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        System.out.println("status page screenshot: " + SCREENSHOT.toAbsolutePath());
    }

    /** How many points the polyline of one series has. */
    private static int points(String html, String series) {
        Matcher m = Pattern.compile("data-series=\"" + series + "\"[^>]*points=\"([^\"]*)\"").matcher(html);
        if (!m.find()) {
            return 0;
        }
        return m.group(1).trim().split("\\s+").length;
    }
}
