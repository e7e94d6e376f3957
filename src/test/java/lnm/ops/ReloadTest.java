package lnm.ops;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.admin.AdminHttp;
import lnm.admin.PromParser;
import lnm.admin.WatcherProbe;
import lnm.cli.Main;
import lnm.testing.Lnm;
import lnm.testing.TcpServer;

/** Reloads through the file watcher and through SIGHUP's path ({@code Appliance.reload}). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReloadTest {
    private static final String CONFIG = """
            level = 3
            listen.https = 127.0.0.1:0
            admin.listen = 127.0.0.1:0
            allowlist = allowlist.properties
            audit.file = audit.jsonl
            shutdown.drainSeconds = 1
            """;

    @TempDir
    Path dir;
    TcpServer up;
    Lnm lnm;

    @BeforeEach
    void setUp() throws Exception {
        up = Traffic.echoServer();
        lnm = Lnm.start(dir, CONFIG, "kept.example = 127.0.0.1:" + up.port() + "\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        lnm.close();
        up.close();
    }

    private double reloads(String result) throws Exception {
        return PromParser.value(AdminHttp.metrics(lnm), "lnm_config_reloads_total", "result", result);
    }

    private void awaitReloads(String result, double n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads(result) == n);
    }

    /** What {@code lnm check} prints for the config, without its summary line. */
    private List<String> check() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new String[] {"check", "--config", dir.resolve("lnm.properties").toString()});
        assertEquals(1, code);
        List<String> lines = Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
        return lines.subList(0, lines.size() - 1);
    }

    @Test
    void anInvalidReloadKeepsTheOldRulesSaysWhyLikeCheckAndIsCounted() throws Exception {
        int port = lnm.port("https");
        assertTrue(Traffic.allowed(port, "kept.example"));
        // One watched write: the config names a new allowlist (written first, not watched yet) and has a typo.
        String withNewList = CONFIG.replace("allowlist = allowlist.properties", "allowlist = allowlist2.properties");
        Files.writeString(dir.resolve("allowlist2.properties"), "new.example = 127.0.0.1:" + up.port() + "\nbad name = direct\n");
        Files.writeString(dir.resolve("lnm.properties"), withNewList + "levle = 4\n");
        awaitReloads("failure", 1); // the watcher saw it

        List<String> problems = lnm.app.reload(); // what SIGHUP does
        assertEquals(check(), problems);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("unknown key 'levle'; did you mean 'level'?"), problems.get(0));
        awaitReloads("failure", 2);

        assertTrue(Traffic.allowed(port, "kept.example"), "old rules still in force");
        assertFalse(Traffic.allowed(port, "new.example"));
        var m = AdminHttp.metrics(lnm);
        assertEquals(0.0, PromParser.value(m, "lnm_config_last_reload_successful"));
        assertEquals(0.0, PromParser.value(m, "lnm_config_reloads_total", "result", "success"));
        assertEquals(200, AdminHttp.get(lnm, "/readyz").statusCode(), "still serving, so still ready");
        String page = AdminHttp.get(lnm, "/").body();
        assertTrue(page.contains("id=\"reload-failed\""), "the page says the reload was rejected");
        assertTrue(page.contains("levle"));

        Files.writeString(dir.resolve("allowlist2.properties"), "new.example = 127.0.0.1:" + up.port() + "\n");
        Files.writeString(dir.resolve("lnm.properties"), withNewList);
        awaitReloads("success", 1);
        assertTrue(Traffic.allowed(port, "new.example"));
        assertFalse(Traffic.allowed(port, "kept.example"));
        m = AdminHttp.metrics(lnm);
        assertEquals(1.0, PromParser.value(m, "lnm_config_last_reload_successful"));
        assertEquals(2.0, PromParser.value(m, "lnm_config_reloads_total", "result", "failure"));
    }

    @Test
    void listenersAddedOrRemovedByAReloadAreBoundOrClosed() throws Exception {
        Files.writeString(dir.resolve("lnm.properties"), CONFIG + "listen.extra = 127.0.0.1:0\n");
        assertEquals(List.of(), lnm.app.reload());
        int extra = lnm.port("extra");
        assertTrue(Traffic.allowed(extra, "kept.example"));
        assertEquals(1.0, PromParser.value(AdminHttp.metrics(lnm), "lnm_listener_bound", "listener", "extra", "mode", "tls"));

        Files.writeString(dir.resolve("lnm.properties"), CONFIG);
        assertEquals(List.of(), lnm.app.reload());
        assertTrue(lnm.app.server().address("extra").isEmpty());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), extra).close());
        assertTrue(Traffic.allowed(lnm.port("https"), "kept.example"));
        assertEquals(200, AdminHttp.get(lnm, "/readyz").statusCode());
    }

    @Test
    void aTouchWithoutChangeDoesNotReload() throws Exception {
        Path list = dir.resolve("allowlist.properties");
        long before = WatcherProbe.hits(lnm.app.admin());
        Files.setLastModifiedTime(list, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        Files.writeString(dir.resolve("lnm.properties"), Files.readString(dir.resolve("lnm.properties")));
        // The event to wait for: the watcher has seen the touch and judged it, reloading nothing.
        await().atMost(Duration.ofSeconds(20)).until(() -> WatcherProbe.judgedSince(lnm.app.admin(), before));
        assertEquals(0.0, PromParser.sum(AdminHttp.metrics(lnm), "lnm_config_reloads_total"), "the touch reloaded");
        // Then a real change is still seen: exactly one reload.
        Files.writeString(list, Files.readString(list) + "added.example = 127.0.0.1:" + up.port() + "\n");
        awaitReloads("success", 1);
        assertTrue(Traffic.allowed(lnm.port("https"), "added.example"));
        assertEquals(1.0, PromParser.sum(AdminHttp.metrics(lnm), "lnm_config_reloads_total"));
    }

    @Test
    void sighupReopensTheAuditLogForLogrotate() throws Exception {
        assertTrue(Traffic.allowed(lnm.port("https"), "kept.example"));
        lnm.awaitAudit(1);
        Files.move(dir.resolve("audit.jsonl"), dir.resolve("audit.jsonl.1")); // what logrotate does
        assertEquals(List.of(), lnm.app.reload());
        assertTrue(Traffic.allowed(lnm.port("https"), "kept.example"));
        List<String> fresh = lnm.awaitAudit(1);
        assertEquals(1, fresh.size(), "the new record went to a new file");
        assertEquals(1, Files.readAllLines(dir.resolve("audit.jsonl.1")).size());
    }
}
