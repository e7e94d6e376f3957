package lnm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.admin.AdminHttp;
import lnm.admin.PromParser;
import lnm.config.HostPort;
import lnm.testing.Lnm;

/**
 * A real top box answers only enrolled boxes: a pull from a name without a folder or
 * {@code box.pub}, or signed with another key, gets 403 and no bundle byte, and nothing about
 * it is kept but a count and a bounded table of who tried.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FleetEnrolmentTest {
    private static final String SECRET = "secret-rule.example";

    @TempDir
    Path dir;
    Lnm top;

    @AfterEach
    void tearDown() {
        if (top != null) {
            top.close();
        }
    }

    private FleetHttp.Response post(byte[] body, String... via) throws Exception {
        int port = top.app.fleet().address().orElseThrow().getPort();
        return FleetHttp.post(new HostPort("127.0.0.1", port), List.of(via), body, 10_000);
    }

    private static byte[] signed(Report r, KeyPair k) {
        return Pull.encode(r, Pull.freshNonce(), k.getPrivate());
    }

    private Plant plant() {
        return top.app.fleet().plant().orElseThrow();
    }

    private String l2Json() {
        return FleetChainTest.box(plant().json(System.currentTimeMillis()), "l2");
    }

    private static void refusedWithoutBundle(FleetHttp.Response r, String why) {
        assertEquals(403, r.status(), r.text());
        assertTrue(r.text().contains(why), r.text());
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertFalse(body.contains(SECRET) || body.contains(Bundle.MAGIC) || body.contains(Answer.MAGIC), body);
    }

    @Test
    void theTopAnswersEnrolledBoxesOnlyAndKeepsNothingElse() throws Exception {
        String topLine = KeyLines.writePair(dir.resolve("top.key"));
        Path l2 = Files.createDirectories(dir.resolve("fleet/l2"));
        Files.writeString(l2.resolve("allowlist.properties"), SECRET + " = direct\n");
        KeyPair box = KeyLines.generate();
        KeyPair next = KeyLines.generate();
        KeyPair stranger = KeyLines.generate();
        Files.writeString(l2.resolve("box.pub"), KeyLines.line(box.getPublic()) + "\n");
        top = Lnm.start(dir, """
                level = 4
                name = top
                listen.https = 127.0.0.1:0
                admin.listen = 127.0.0.1:0
                fleet.listen = 127.0.0.1:0
                fleet.dir = fleet
                fleet.key = top.key
                fleet.state = state
                """, "");

        // No folder, and a folder whose box.pub names another key: 403, no bundle, no report kept, no generation lifted.
        refusedWithoutBundle(post(signed(FleetTrustTest.report("ghost", 0), stranger), "l3"), "no folder in fleet.dir");
        refusedWithoutBundle(post(signed(FleetTrustTest.report("l2", 1000), stranger)), "does not verify with any key in box.pub");
        Files.move(l2.resolve("box.pub"), l2.resolve("box.pub.off"));
        refusedWithoutBundle(post(signed(FleetTrustTest.report("l2", 2000), box)), "no box.pub in its folder");
        Files.move(l2.resolve("box.pub.off"), l2.resolve("box.pub"));
        assertTrue(l2Json().contains("\"lastSeenMs\":0,\"generation\":0,\"newestGeneration\":1,"), l2Json());
        assertFalse(l2Json().contains("\"health\""), "no report kept: " + l2Json());
        assertFalse(plant().json(0).contains("{\"name\":\"ghost\",\"level\""), "ghost is no box of the plant");

        // Many forged pulls from unknown names with large non-Latin-1 fields: a bounded table, nothing else.
        String big = String.join("", Collections.nCopies(1000, "ж"));
        List<Report.NameCount> names = new ArrayList<>();
        for (int i = 0; i < Report.MAX_NAMES; i++) {
            names.add(new Report.NameCount(big, 1));
        }
        int forged = Unenrolled.MAX + 6;
        for (int i = 0; i < forged; i++) {
            Report r = new Report("forged-" + i, 2, big, 1L << 40, big, 1, 1, 1, names, big, 1, big, 1000);
            refusedWithoutBundle(post(signed(r, stranger)), "no folder in fleet.dir");
        }
        Unenrolled u = plant().unenrolled();
        assertEquals(3 + forged, u.total());
        assertEquals(Unenrolled.MAX, u.entries().size(), "the oldest are evicted");
        assertEquals("forged-" + (forged - 1), u.entries().get(0).name(), "most recent first");
        assertEquals(2, plant().rows(System.currentTimeMillis()).size(), "the top and l2, nothing for unknown names");
        String json = plant().json(System.currentTimeMillis());
        assertTrue(json.contains("\"unenrolled\":{\"total\":" + (3 + forged) + ",\"recent\":["), json);
        var m = AdminHttp.metrics(top);
        assertEquals(3.0 + forged, PromParser.value(m, "lnm_fleet_unenrolled_total"));
        String page = AdminHttp.get(top, "/").body();
        assertTrue(page.contains("Tried without enrolment") && page.contains("forged-" + (forged - 1)), "the status page lists them");

        // The ghost's entry names where it came from; it was evicted by now, so try once more.
        refusedWithoutBundle(post(signed(FleetTrustTest.report("ghost", 0), stranger), "l3"), "no folder");
        Unenrolled.Entry ghost = plant().unenrolled().entries().get(0);
        assertEquals("ghost", ghost.name());
        assertEquals("127.0.0.1 via l3", ghost.from());

        // The enrolled box gets its answer, bound to its nonce; during a rotation both of its keys work.
        Files.writeString(l2.resolve("box.pub"), "# l2: old key, then the new one\n" + KeyLines.line(box.getPublic())
                + "\n" + KeyLines.line(next.getPublic()) + "\n");
        for (KeyPair k : List.of(box, next)) {
            String nonce = Pull.freshNonce();
            FleetHttp.Response r = post(Pull.encode(FleetTrustTest.report("l2", 0), nonce, k.getPrivate()));
            assertEquals(200, r.status(), r.text());
            Answer a = Answer.parse(r.body());
            assertNull(a.refusal(List.of(topLine), "l2", nonce));
            Bundle b = Bundle.parse(a.bundle());
            assertTrue(b.verifiedBy(List.of(topLine)));
            assertEquals(SECRET + " = direct\n", new String(b.allowlist(), StandardCharsets.UTF_8));
            assertEquals(1, b.generation());
        }
        assertTrue(l2Json().contains("\"health\":\"ready\""), "the verified report is kept: " + l2Json());
        assertEquals(3 + forged + 1, plant().unenrolled().total(), "answered pulls are not counted");
    }
}
