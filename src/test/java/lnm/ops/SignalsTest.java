package lnm.ops;

import static lnm.testing.Lnm.field;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.admin.AdminHttp;
import lnm.admin.PromParser;
import lnm.testing.Hellos;
import lnm.testing.TcpServer;

/**
 * {@code lnm run} as its own process, driven by signals. SIGHUP reloads and reopens the audit
 * log. SIGTERM ({@link Process#destroy} on Linux) stops accepting, lets live connections finish
 * within {@code shutdown.drainSeconds}, closes the rest, writes their audit records and exits 0.
 *
 * <p>The process runs from {@code target/classes} rather than {@code target/lnm.jar}: the tests
 * run in Maven's test phase, before the jar is packaged, and the classes are the same code.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SignalsTest {
    private static final Pattern LISTENER = Pattern.compile("listener https \\(tls\\) on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin endpoint on http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;
    /** What runs lnm: {@code env --default-signal=HUP}, or {@code nohup} to start it with SIGHUP ignored. */
    private String[] hupPrefix = {"env", "--default-signal=HUP"};
    TcpServer up;
    Process lnm;
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        up = Traffic.echoServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lnm != null && lnm.isAlive()) {
            lnm.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        up.close();
    }

    /** Starts {@code lnm run}, its log read into {@link #log}, without waiting for it. */
    private void launch(String drainSeconds) throws Exception {
        Files.writeString(dir.resolve("lnm.properties"), """
                level = 4
                listen.https = 127.0.0.1:0
                admin.listen = 127.0.0.1:0
                allowlist = allowlist.properties
                audit.file = audit.jsonl
                shutdown.drainSeconds = %s
                """.formatted(drainSeconds));
        Files.writeString(dir.resolve("allowlist.properties"), "stream.plant.local = 127.0.0.1:" + up.port() + "\n");
        Path classes = Path.of("target", "classes").toAbsolutePath();
        assertTrue(Files.isDirectory(classes.resolve("lnm/cli")), "compiled classes at " + classes);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // SIGHUP at its default, whatever the suite's own process was started with (nohup
        // leaves it ignored, and the JVM keeps an ignored SIGHUP ignored): hupPrefix says how
        List<String> cmd = new ArrayList<>(List.of(hupPrefix));
        cmd.addAll(List.of(java, "-Xmx128m", "-cp", classes.toString(), "lnm.cli.Main", "run", "--config",
                dir.resolve("lnm.properties").toString()));
        lnm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(lnm.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.add(line);
                }
            } catch (IOException e) {
                // process gone
            }
        }, "lnm-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code lnm run} and returns {listener port, admin port} from its log. */
    private int[] start(String drainSeconds) throws Exception {
        launch(drainSeconds);
        await().atMost(Duration.ofSeconds(15)).until(() -> log.stream().anyMatch(l -> l.contains(" started with ")));
        return new int[] {port(LISTENER), port(ADMIN)};
    }

    private int port(Pattern p) {
        for (String l : log) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("not in the log: " + p + "\n" + String.join("\n", log));
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aLiveStreamFinishesWithinTheDrainThenExitZero() throws Exception {
        int[] ports = start("20");
        byte[] hello = Hellos.clientHello("stream.plant.local");
        long sent = hello.length;
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), ports[0])) {
            c.setSoTimeout(10_000);
            OutputStream out = c.getOutputStream();
            InputStream in = c.getInputStream();
            out.write(hello);
            assertArrayEquals(hello, in.readNBytes(hello.length));

            lnm.destroy(); // SIGTERM
            await().atMost(Duration.ofSeconds(10)).until(() -> refused(ports[0]));
            assertTrue(lnm.isAlive(), "still draining");
            var ready = AdminHttp.request("GET", "http://127.0.0.1:" + ports[1] + "/readyz");
            assertEquals(503, ready.statusCode(), "not ready while draining: " + ready.body());
            assertTrue(ready.body().contains("draining"), ready.body());
            assertTrue(ready.body().contains("\npid " + lnm.pid() + "\n"), "the lnm process's own PID: " + ready.body());

            for (int i = 0; i < 5; i++) { // the held connection still relays
                byte[] b = Traffic.chunk(1, i, 16 * 1024);
                out.write(b);
                assertArrayEquals(b, in.readNBytes(b.length));
                sent += b.length;
                Thread.sleep(100);
            }
            c.shutdownOutput();
            assertEquals(-1, in.read());
        }
        assertTrue(lnm.waitFor(10, TimeUnit.SECONDS), "exits once the last connection is done");
        assertEquals(0, lnm.exitValue(), String.join("\n", log));
        List<String> audit = Files.readAllLines(dir.resolve("audit.jsonl"));
        // the probes that found the listener still open before it closed are audited too
        List<String> streams = audit.stream().filter(l -> "stream.plant.local".equals(field(l, "sni"))).toList();
        assertTrue(audit.stream().allMatch(l -> streams.contains(l) || "no_hello".equals(field(l, "reason"))), audit.toString());
        assertEquals(1, streams.size(), audit.toString());
        String r = streams.get(0);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("client", field(r, "closedBy"), r);
        assertEquals(String.valueOf(sent), field(r, "bytesUp"), r);
        assertEquals(String.valueOf(sent), field(r, "bytesDown"), r);
    }

    @Test
    void sighupReloadsAndReopensTheAuditLog() throws Exception {
        int[] ports = start("1");
        byte[] hello = Hellos.clientHello("stream.plant.local");
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), ports[0])) {
            c.getOutputStream().write(hello);
            c.shutdownOutput();
            c.getInputStream().readAllBytes();
        }
        Path audit = dir.resolve("audit.jsonl");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(audit) && Files.size(audit) > 0);
        Files.move(audit, dir.resolve("audit.jsonl.1")); // logrotate's move, then its SIGHUP
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(lnm.pid())).start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(audit));
        await().atMost(Duration.ofSeconds(10)).until(() -> PromParser.value(
                PromParser.parse(AdminHttp.request("GET", "http://127.0.0.1:" + ports[1] + "/metrics").body()),
                "lnm_config_reloads_total", "result", "success") == 1.0);
        assertTrue(log.stream().anyMatch(l -> l.contains("SIGHUP: reloading")), String.join("\n", log));
        assertEquals(1, Files.readAllLines(dir.resolve("audit.jsonl.1")).size());
        assertTrue(lnm.isAlive());
    }

    @Test
    void aSighupWhileStartingIsHeldAndReloadsOnceStarted() throws Exception {
        launch("1");
        // the listener's line comes from inside the start, before it has finished
        await().atMost(Duration.ofSeconds(15)).until(() -> log.stream().anyMatch(l -> LISTENER.matcher(l).find()));
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(lnm.pid())).start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0);
        await().atMost(Duration.ofSeconds(15)).until(() -> !lnm.isAlive() || log.stream().anyMatch(l -> l.contains("SIGHUP: reloading")));
        assertTrue(lnm.isAlive(), "a SIGHUP during the start must not end lnm:\n" + String.join("\n", log));
        int admin = port(ADMIN);
        await().atMost(Duration.ofSeconds(10)).until(() -> PromParser.value(
                PromParser.parse(AdminHttp.request("GET", "http://127.0.0.1:" + admin + "/metrics").body()),
                "lnm_config_reloads_total", "result", "success") == 1.0);
        assertTrue(log.stream().anyMatch(l -> l.contains(" started with ")), String.join("\n", log));
    }

    @Test
    void anIgnoredSighupIsReportedAtStart() throws Exception {
        hupPrefix = new String[] {"nohup"};
        start("1");
        assertTrue(log.stream().anyMatch(l -> l.contains("WARNING SIGHUP is ignored in this process")), String.join("\n", log));
        assertTrue(lnm.isAlive());
    }

    @Test
    void aStreamStillOpenAfterTheDrainIsClosedAndAudited() throws Exception {
        int[] ports = start("1");
        byte[] hello = Hellos.clientHello("stream.plant.local");
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), ports[0])) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(hello);
            assertArrayEquals(hello, c.getInputStream().readNBytes(hello.length));
            long t0 = System.nanoTime();
            lnm.destroy();
            assertTrue(lnm.waitFor(10, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 900, "waited for the drain period: " + ms + " ms");
            assertEquals(0, lnm.exitValue(), String.join("\n", log));
            assertEquals(-1, c.getInputStream().read(), "closed by lnm");
        }
        List<String> audit = Files.readAllLines(dir.resolve("audit.jsonl"));
        assertEquals(1, audit.size(), audit.toString());
        assertEquals("shutdown", field(audit.get(0), "closedBy"), audit.get(0));
        assertEquals(String.valueOf(hello.length), field(audit.get(0), "bytesUp"), audit.get(0));
    }
}
