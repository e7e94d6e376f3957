package lnm.hardening;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood at the connection limits: connections beyond {@code limits.maxConnections} (from many
 * sources) or {@code limits.perSourceConnections} (from one) are refused at once, each with an
 * audit record of reason {@code limit} and counted; the admitted ones are unharmed; and once the
 * flood stops the box serves a full load again, with nothing left over (no connection counted,
 * no buffer lent, no record missing).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FloodTest {
    @TempDir
    Path dir;

    /** Runs {@code n} verified streams at once; returns them after checking every one. */
    static List<StreamLoad.Result> wave(StreamLoad load, Box box, InetAddress from, int n, long seed) throws Exception {
        return wave(load, box.address("https"), from, n, seed);
    }

    static List<StreamLoad.Result> wave(StreamLoad load, java.net.InetSocketAddress to, InetAddress from, int n, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<CompletableFuture<StreamLoad.Result>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(load.start(to, from, rnd.nextInt(3), rnd.nextInt(20_000), rnd.nextInt(20_000)));
        }
        List<StreamLoad.Result> out = new ArrayList<>();
        for (CompletableFuture<StreamLoad.Result> f : fs) {
            StreamLoad.Result r = f.get(60, TimeUnit.SECONDS);
            assertNull(load.check(r));
            out.add(r);
        }
        return out;
    }

    static long p99(List<Long> values) {
        List<Long> s = values.stream().sorted().toList();
        return s.isEmpty() ? 0 : s.get((int) Math.min(s.size() - 1, Math.ceil(s.size() * 0.99) - 1));
    }

    @Test
    void floodBeyondMaxConnectionsIsRefusedAuditedAndTheBoxRecovers() throws Exception {
        int limit = 100;
        int flood = 600;
        try (StreamLoad load = new StreamLoad("flood.example");
             Box box = Box.start(dir, """
                     listen.https = 127.0.0.1:0
                     limits.maxConnections = %d
                     timeouts.helloSeconds = 60
                     """.formatted(limit), load.rule());
             Crowd crowd = new Crowd("flood")) {
            long t0 = System.nanoTime();
            crowd.open(box.address("https"), Crowd.sources(3, 16), flood, null, 0, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> crowd.connected.get() == flood && crowd.closedByServer.get() == flood - limit);
            long floodMs = (System.nanoTime() - t0) / 1_000_000;
            List<Long> refusedAfter = crowd.ended.stream().map(Crowd.Member::lifeMillis).toList();

            // A legitimate client during the flood is refused the same way, not queued.
            CompletableFuture<StreamLoad.Result> during = load.start(box.address("https"), null, 0, 100, 100);
            StreamLoad.Result d = during.get(30, TimeUnit.SECONDS);
            assertTrue(d.client().received == 0 && (d.client().error != null || d.client().eof), d.client().describe());
            // ... and by then, the admitted ones are all still open (helloSeconds = 60)
            assertEquals(flood - limit, crowd.closedByServer.get(), "admitted connections must stay open");
            assertEquals(limit, box.active());
            await().atMost(Duration.ofSeconds(10)).until(() -> box.count("limit") == flood - limit + 1);

            int stillOpen = crowd.closeAll();
            assertEquals(limit, stillOpen);
            await().atMost(Duration.ofSeconds(10)).until(() -> box.active() == 0 && box.live() == 0);

            // Recovery: the full limit at once, twice.
            wave(load, box, null, limit, 1);
            wave(load, box, null, limit, 2);
            List<String> records = box.assertAuditComplete(flood + 1 + 2L * limit, Duration.ofSeconds(20));
            for (String r : records) {
                if ("limit".equals(Box.field(r, "reason"))) {
                    assertEquals("deny", Box.field(r, "decision"), r);
                    assertEquals("maxConnections reached", Box.field(r, "error"), r);
                }
            }
            assertEquals(flood - limit + 1, box.count("limit"), box.reasons().toString());
            assertEquals(limit, box.count("no_hello"), box.reasons().toString());
            assertEquals(2L * limit, box.count("allowlist:flood.example"), box.reasons().toString());
            assertEquals(0, box.buffersInUse());
            System.out.printf("flood: %d connections from 16 sources against maxConnections=%d: %d admitted, %d refused "
                    + "(p99 %d ms to the refusal) in %d ms; after it, 2 waves of %d verified streams; audit %s%n",
                    flood, limit, limit, flood - limit, p99(refusedAfter), floodMs, limit, box.reasons());
        }
    }

    /** How soon the refusals come: a latency, so {@code make load-test}. */
    @Test
    @Tag("load")
    void refusalsPastTheLimitAreImmediate() throws Exception {
        int limit = 100;
        int flood = 600;
        try (Box box = Box.start(dir, """
                     listen.https = 127.0.0.1:0
                     limits.maxConnections = %d
                     timeouts.helloSeconds = 60
                     """.formatted(limit), "flood.example = 127.0.0.1:9\n");
             Crowd crowd = new Crowd("flood")) {
            crowd.open(box.address("https"), Crowd.sources(3, 16), flood, null, 0, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> crowd.connected.get() == flood && crowd.closedByServer.get() == flood - limit);
            List<Long> refusedAfter = crowd.ended.stream().map(Crowd.Member::lifeMillis).toList();
            assertTrue(p99(refusedAfter) < 1000, "refusals are immediate; p99 " + p99(refusedAfter) + " ms");
            crowd.closeAll();
        }
    }

    @Test
    void floodFromOneSourceIsHeldToItsShareWhileOthersGetThrough() throws Exception {
        int perSource = 20;
        int flood = 80;
        try (StreamLoad load = new StreamLoad("flood.example");
             Box box = Box.start(dir, """
                     listen.https = 127.0.0.1:0
                     limits.perSourceConnections = %d
                     timeouts.helloSeconds = 60
                     """.formatted(perSource), load.rule());
             Crowd crowd = new Crowd("one-source")) {
            InetAddress hostile = InetAddress.getByAddress(new byte[] {127, 0, 4, 1});
            InetAddress neighbour = InetAddress.getByAddress(new byte[] {127, 0, 4, 2});
            crowd.open(box.address("https"), List.of(hostile), flood, null, 0, false);
            await().atMost(Duration.ofSeconds(20)).until(() -> crowd.connected.get() == flood && crowd.closedByServer.get() == flood - perSource);
            wave(load, box, neighbour, perSource, 3); // another source is not affected
            StreamLoad.Result more = load.start(box.address("https"), hostile, 0, 10, 10).get(10, TimeUnit.SECONDS);
            assertEquals(0, more.client().received, more.client().describe());
            assertEquals(perSource, crowd.closeAll());
            await().atMost(Duration.ofSeconds(10)).until(() -> box.active() == 0);
            wave(load, box, hostile, perSource, 4); // its share is back
            box.assertAuditComplete(flood + perSource + 1 + perSource, Duration.ofSeconds(20));
            assertEquals(flood - perSource + 1, box.count("limit"), box.reasons().toString());
            assertTrue(box.audit().stream().filter(r -> "limit".equals(Box.field(r, "reason")))
                    .allMatch(r -> "perSourceConnections reached".equals(Box.field(r, "error"))));
            System.out.println("flood: one source at perSourceConnections=" + perSource + ": audit " + box.reasons());
        }
    }
}
