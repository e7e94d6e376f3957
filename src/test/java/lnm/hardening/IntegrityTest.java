package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integrity under load: 500 concurrent connections through lnm, each exchanging pseudo-random
 * streams of random sizes (0 bytes to 2 MiB) in both directions, with every half-close order
 * (both stream at once; the upstream answers only after the client's FIN; the client sends
 * only after the upstream's FIN) and slow readers on either side (so lnm must push back rather
 * than drop or buffer). SHA-256 of every stream must be equal at both ends, and the audit
 * record of each connection must count exactly the bytes each end sent.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class IntegrityTest {
    static final int CONNECTIONS = 500;
    static final long SEED = 0x1f0_0006L;

    @TempDir
    Path dir;

    @Test
    void fiveHundredConcurrentStreamsArriveByteExactBothWays() throws Exception {
        try (StreamLoad load = new StreamLoad("stream.integrity.example");
             Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ntimeouts.idleSeconds = 60\n", load.rule())) {
            SplittableRandom rnd = new SplittableRandom(SEED);
            List<CompletableFuture<StreamLoad.Result>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < CONNECTIONS; i++) {
                futures.add(load.startRandom(box.address("https"), null, rnd));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - t0;

            Map<Integer, StreamLoad.Result> byPort = new HashMap<>();
            long total = 0;
            for (CompletableFuture<StreamLoad.Result> f : futures) {
                StreamLoad.Result r = f.get();
                assertNull(load.check(r));
                byPort.put(r.client().localPort, r);
                total += load.bytes(r);
            }
            List<String> audit = box.assertAuditComplete(CONNECTIONS, Duration.ofSeconds(20));
            for (String rec : audit) {
                String client = Box.field(rec, "client");
                StreamLoad.Result r = byPort.get(Integer.parseInt(client.substring(client.lastIndexOf(':') + 1)));
                assertNotNull(r, "a record for a connection the test did not make: " + rec);
                assertEquals("allow", Box.field(rec, "decision"), rec);
                assertEquals("allowlist:" + load.name, Box.field(rec, "reason"), rec);
                assertEquals(String.valueOf(r.client().sent), Box.field(rec, "bytesUp"), rec);
                assertEquals(String.valueOf(r.client().received), Box.field(rec, "bytesDown"), rec);
                assertTrue(List.of("client", "upstream").contains(Box.field(rec, "closedBy")), rec);
            }
            assertEquals(0, box.buffersInUse(), "relay buffers still lent out after every connection closed");
            System.out.printf("integrity: %d concurrent connections, %.1f MB relayed in %.1f s, every SHA-256 equal end to end, "
                    + "every audit byte count exact%n", CONNECTIONS, total / 1e6, elapsed / 1e9);
        }
    }
}
