package lnm.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Lnm;

/**
 * One pulling box against a source that serves whatever the test sets: every kind of bad
 * answer or bundle is refused with its reason, and the config in force stays.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FleetBoxTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    FleetServer source;
    Lnm box;
    /** The answer to a pull, from its nonce. */
    final AtomicReference<Function<String, byte[]>> serving = new AtomicReference<>();
    final AtomicReference<Report> lastReport = new AtomicReference<>();
    final AtomicReference<Pull> lastPull = new AtomicReference<>();
    final AtomicReference<byte[]> lastAnswer = new AtomicReference<>();

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
        return box.app.fleet().pullState().orElseThrow().refusal();
    }

    /** Serves {@code b}, wrapped for each pull by {@code top}. */
    private void serve(byte[] b, PrivateKey top) {
        serving.set(nonce -> Answer.sign("b2", b, nonce, top));
    }

    /** Serves what {@code answer} makes of each nonce and waits until the box refused it with {@code why}. */
    private void refused(Function<String, byte[]> answer, String why) {
        serving.set(answer);
        await().atMost(WAIT).until(() -> refusal().contains(why));
        assertEquals(List.of("a.example"), rules(), "the config in force stays");
        await().atMost(WAIT).until(() -> lastReport.get().refusal().contains(why)); // the next report carries it
    }

    @Test
    void badBundlesAreRefusedWithTheirReasonAndTheRunningConfigStays() throws Exception {
        var top = KeyLines.generate();
        var other = KeyLines.generate();
        startSource();
        PrivateKey k = top.getPrivate();
        serve(bundle("b2", 5, "a.example = direct\n", "", k).bytes(), k);
        String boxLine = KeyLines.writePair(dir.resolve("box.key"));
        box = Lnm.start(dir, config(KeyLines.line(top.getPublic())), "");
        await().atMost(WAIT).until(() -> rules().equals(List.of("a.example")));
        await().atMost(WAIT).until(() -> lastReport.get() != null && lastReport.get().generation() == 5);
        assertTrue(lastPull.get().verifiedBy(List.of(boxLine)), "the pull is signed with fleet.boxKey");
        Report r = lastReport.get();
        assertEquals("b2", r.name());
        assertEquals(2, r.level());
        assertEquals("ready", r.health());
        assertEquals(Files.readString(dir.resolve("state/allowlist.properties")), "a.example = direct\n");

        byte[] six = bundle("b2", 6, "b.example = direct\n", "", k).bytes();
        byte[] tampered = six.clone();
        tampered[new String(tampered, StandardCharsets.UTF_8).indexOf("b.example")] = 'c';
        // Each reason differs from the one before, so every wait sees a new refusal.
        refused(n -> Answer.sign("b2", bundle("b2", 6, "b.example = direct\n", "", other.getPrivate()).bytes(), n, k),
                "signature does not verify with any key in fleet.trust");
        refused(n -> Answer.sign("b2", six, n, other.getPrivate()), "answer signature does not verify");
        refused(n -> Answer.sign("b2", six, Pull.freshNonce(), k), "its nonce differs");
        refused(n -> Answer.sign("b2", tampered, n, k), "signature does not verify with any key in fleet.trust");
        refused(n -> {
            byte[] a = Answer.sign("b2", six, n, k);
            a[new String(a, StandardCharsets.UTF_8).indexOf("b.example")] = 'c';
            return a;
        }, "answer signature does not verify");
        refused(n -> Answer.sign("b3", six, n, k), "answer is for box 'b3'");
        refused(n -> Answer.sign("b2", bundle("b2", 4, "b.example = direct\n", "", k).bytes(), n, k), "older than 5 in force (rollback)");
        refused(n -> Answer.sign("b2", bundle("b3", 7, "b.example = direct\n", "", k).bytes(), n, k), "bundle is for box 'b3'");
        refused(n -> Answer.sign("b2", bundle("b2", 8, "b.example = direct\n", "listen.https = 127.0.0.1:1\n", k).bytes(), n, k),
                "b2/lnm.properties:1: 'listen.https' cannot be set from above");
        refused(n -> Answer.sign("b2", bundle("b2", 9, "b.example = direct\n", "fleet.trust =\n", k).bytes(), n, k),
                "'fleet.trust' cannot be set from above");
        refused(n -> Answer.sign("b2", bundle("b2", 10, "b.example = parent\n", "", k).bytes(), n, k),
                "b2/allowlist.properties:1: 'b.example' goes to parent, but no parent is set");
        refused(n -> Answer.sign("b2", "not a bundle".getBytes(StandardCharsets.UTF_8), n, k), "malformed bundle");
        refused(n -> six, "malformed answer: not an lnm fleet answer"); // a bare bundle, as a top without envelopes sent

        serve(bundle("b2", 11, "b.example = direct\n", "sources = 127.0.0.0/8\n", k).bytes(), k);
        await().atMost(WAIT).until(() -> rules().equals(List.of("b.example")));
        assertEquals("127.0.0.0/8", box.app.config().sources().toString());
    }

    @Test
    void anAnswerRecordedEarlierIsRefusedByAFreshBoxWithEmptyState() throws Exception {
        var top = KeyLines.generate();
        PrivateKey k = top.getPrivate();
        startSource();
        serve(bundle("b2", 3, "old.example = direct\n", "", k).bytes(), k);
        KeyLines.writePair(dir.resolve("box.key"));
        String config = config(KeyLines.line(top.getPublic()));
        box = Lnm.start(dir, config, "local.example = direct\n");
        await().atMost(WAIT).until(() -> rules().equals(List.of("old.example")));
        byte[] captured = lastAnswer.get();
        box.close();
        box = null;

        // The same box, its state wiped (or a new box with its name): the captured answer is replayed verbatim.
        Path fresh = Files.createDirectories(dir.resolve("fresh"));
        Files.copy(dir.resolve("box.key"), fresh.resolve("box.key"));
        serving.set(n -> captured);
        box = Lnm.start(fresh, config, "local.example = direct\n");
        await().atMost(WAIT).until(() -> refusal().contains("its nonce differs"));
        assertEquals(List.of("local.example"), rules(), "the fresh box keeps its local allowlist");
        assertEquals(0, box.app.fleet().pullState().orElseThrow().generation(), "no generation in force");
        assertFalse(Files.exists(fresh.resolve("state/bundle")), "nothing stored");
    }

    private void startSource() throws java.io.IOException {
        source = new FleetServer(new InetSocketAddress("127.0.0.1", 0), "top", (pull, via, peer) -> {
            lastReport.set(pull.report());
            lastPull.set(pull);
            byte[] a = serving.get().apply(pull.nonce());
            lastAnswer.set(a);
            return new FleetHttp.Response(200, a);
        }, () -> new lnm.side.SideRules(lnm.config.CidrSet.any(), false, 1000, 0, 64, null));
    }

    private String config(String trust) {
        return """
                level = 2
                name = b2
                listen.https = 127.0.0.1:0
                fleet.source = 127.0.0.1:%d
                fleet.trust = %s
                fleet.boxKey = box.key
                fleet.interval = 0.2
                fleet.state = state
                """.formatted(source.address().getPort(), trust);
    }
}
