package lnm.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Lnm;

/**
 * One pulling box against a source that serves whatever the test sets: every kind of bad
 * bundle is refused with its reason, and the config in force stays.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FleetBoxTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    FleetServer source;
    Lnm box;
    final AtomicReference<byte[]> serving = new AtomicReference<>();
    final AtomicReference<Report> lastReport = new AtomicReference<>();

    @AfterEach
    void tearDown() {
        if (box != null) {
            box.close();
        }
        if (source != null) {
            source.stop();
        }
    }

    private static Bundle bundle(String box, long gen, String allowlist, String overrides, PrivateKey k) {
        return Bundle.sign(box, gen, allowlist.getBytes(StandardCharsets.UTF_8), overrides.getBytes(StandardCharsets.UTF_8), k);
    }

    private List<String> rules() {
        return box.app.config().allowlist().rules().stream().map(r -> r.pattern()).toList();
    }

    private String refusal() {
        return box.app.fleet().pullState().orElseThrow()[1];
    }

    /** Serves {@code b} and waits until the box has refused it with a reason containing {@code why}. */
    private void refused(byte[] b, String why) {
        serving.set(b);
        await().atMost(WAIT).until(() -> refusal().contains(why));
        assertEquals(List.of("a.example"), rules(), "the config in force stays");
        await().atMost(WAIT).until(() -> lastReport.get().refusal().contains(why)); // the next report carries it
    }

    @Test
    void badBundlesAreRefusedWithTheirReasonAndTheRunningConfigStays() throws Exception {
        var top = KeyLines.generate();
        var other = KeyLines.generate();
        source = new FleetServer(new InetSocketAddress("127.0.0.1", 0), "top", (r, via, body) -> {
            lastReport.set(r);
            return new FleetHttp.Response(200, serving.get());
        }, () -> new lnm.side.SideRules(lnm.config.CidrSet.any(), false, 1000, 0, 64, null));
        serving.set(bundle("b2", 5, "a.example = direct\n", "", top.getPrivate()).bytes());
        box = Lnm.start(dir, """
                level = 2
                name = b2
                listen.https = 127.0.0.1:0
                fleet.source = 127.0.0.1:%d
                fleet.trust = %s
                fleet.interval = 0.2
                fleet.state = state
                """.formatted(source.address().getPort(), KeyLines.line(top.getPublic())), "");
        await().atMost(WAIT).until(() -> rules().equals(List.of("a.example")));
        await().atMost(WAIT).until(() -> lastReport.get() != null && lastReport.get().generation() == 5);
        Report r = lastReport.get();
        assertEquals("b2", r.name());
        assertEquals(2, r.level());
        assertEquals("ready", r.health());
        assertEquals(Files.readString(dir.resolve("state/allowlist.properties")), "a.example = direct\n");

        refused(bundle("b2", 6, "b.example = direct\n", "", other.getPrivate()).bytes(), "signature does not verify");
        byte[] tampered = bundle("b2", 6, "b.example = direct\n", "", top.getPrivate()).bytes();
        tampered[new String(tampered, StandardCharsets.UTF_8).indexOf("b.example")] = 'c';
        refused(tampered, "signature does not verify");
        refused(bundle("b2", 4, "b.example = direct\n", "", top.getPrivate()).bytes(), "older than 5 in force (rollback)");
        refused(bundle("b3", 7, "b.example = direct\n", "", top.getPrivate()).bytes(), "bundle is for box 'b3'");
        refused(bundle("b2", 8, "b.example = direct\n", "listen.https = 127.0.0.1:1\n", top.getPrivate()).bytes(),
                "b2/lnm.properties:1: 'listen.https' cannot be set from above");
        refused(bundle("b2", 9, "b.example = direct\n", "fleet.trust =\n", top.getPrivate()).bytes(),
                "'fleet.trust' cannot be set from above");
        refused(bundle("b2", 10, "b.example = parent\n", "", top.getPrivate()).bytes(),
                "b2/allowlist.properties:1: 'b.example' goes to parent, but no parent is set");
        refused("not a bundle".getBytes(StandardCharsets.UTF_8), "malformed bundle");

        serving.set(bundle("b2", 11, "b.example = direct\n", "sources = 127.0.0.0/8\n", top.getPrivate()).bytes());
        await().atMost(WAIT).until(() -> rules().equals(List.of("b.example")));
        assertEquals("127.0.0.0/8", box.app.config().sources().toString());
    }
}
