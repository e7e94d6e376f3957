package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;

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
    static final String NAME = "stream.integrity.example";

    @TempDir
    Path dir;

    /** The client's first bytes after the hello: id, mode, and how much the upstream should send. */
    static byte[] header(int id, int mode, int downSize) {
        return ByteBuffer.allocate(12).putInt(id).putInt(mode).putInt(downSize).array();
    }

    static long size(SplittableRandom rnd) {
        int k = rnd.nextInt(100);
        if (k < 10) {
            return 0;
        }
        if (k < 35) {
            return rnd.nextInt(200);
        }
        if (k < 75) {
            return 1024 + rnd.nextInt(63 * 1024);
        }
        if (k < 95) {
            return 64 * 1024 + rnd.nextInt(960 * 1024);
        }
        return 1024 * 1024 + rnd.nextInt(1024 * 1024);
    }

    @Test
    void fiveHundredConcurrentStreamsArriveByteExactBothWays() throws Exception {
        byte[] hello = Hellos.clientHello(NAME);
        int h = hello.length;
        Map<Integer, Streams.Side> upstreamSides = new ConcurrentHashMap<>();
        // mode: 0 full duplex, 1 upstream answers after the client's FIN, 2 client streams after
        // the upstream's FIN, 3 full duplex with a slow client reader, 4 with a slow upstream reader
        try (Streams up = Streams.server("upstream", InetAddress.getLoopbackAddress(), h + 12, head -> {
                    ByteBuffer b = ByteBuffer.wrap(head, h, 12);
                    int id = b.getInt();
                    int mode = b.getInt();
                    int down = b.getInt();
                    return new Streams.Spec(new byte[0], down, id * 7919L + 1, mode == 1, mode == 4 ? 3 : 0);
                }, s -> {
                    if (s.head() != null) {
                        upstreamSides.put(ByteBuffer.wrap(s.head(), h, 4).getInt(), s);
                    }
                });
             Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ntimeouts.idleSeconds = 60\n",
                     NAME + " = 127.0.0.1:" + up.port() + "\n");
             Streams clients = new Streams("clients")) {
            SplittableRandom rnd = new SplittableRandom(SEED);
            List<CompletableFuture<Streams.Side>> futures = new ArrayList<>();
            long[] expectUp = new long[CONNECTIONS];
            long[] expectDown = new long[CONNECTIONS];
            int[] modes = new int[5];
            long t0 = System.nanoTime();
            for (int id = 0; id < CONNECTIONS; id++) {
                int k = rnd.nextInt(10);
                int mode = k < 4 ? 0 : k < 6 ? 1 : k < 8 ? 2 : k < 9 ? 3 : 4;
                modes[mode]++;
                long upSize = size(rnd);
                long downSize = size(rnd);
                byte[] prefix = HelloBuilder.cat(hello, header(id, mode, (int) downSize));
                expectUp[id] = prefix.length + upSize;
                expectDown[id] = downSize;
                futures.add(clients.connect(box.address("https"), null,
                        new Streams.Spec(prefix, upSize, id * 104729L + 3, mode == 2, mode == 3 ? 3 : 0)));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - t0;
            box.awaitAudit(CONNECTIONS, Duration.ofSeconds(20));

            Map<Integer, Streams.Side> clientByPort = new HashMap<>();
            long total = 0;
            for (int id = 0; id < CONNECTIONS; id++) {
                Streams.Side c = futures.get(id).get();
                assertNull(c.error, "connection " + id + ": " + c.describe());
                Streams.Side u = upstreamSides.get(id);
                assertNotNull(u, "connection " + id + " never reached the upstream: " + c.describe());
                assertNull(u.error, "connection " + id + " upstream: " + u.describe());
                assertEquals(expectUp[id], c.sent, "client " + id + " sent");
                assertEquals(c.sent, u.received, "connection " + id + " bytes up");
                assertArrayEquals(c.sentHash(), u.recvHash(), "connection " + id + " SHA-256 up");
                assertEquals(expectDown[id], u.sent, "upstream " + id + " sent");
                assertEquals(u.sent, c.received, "connection " + id + " bytes down");
                assertArrayEquals(u.sentHash(), c.recvHash(), "connection " + id + " SHA-256 down");
                clientByPort.put(c.localPort, c);
                total += c.sent + u.sent;
            }
            List<String> audit = box.assertAuditComplete(CONNECTIONS, Duration.ofSeconds(10));
            for (String r : audit) {
                String client = Box.field(r, "client");
                Streams.Side c = clientByPort.get(Integer.parseInt(client.substring(client.lastIndexOf(':') + 1)));
                assertNotNull(c, "a record for a connection the test did not make: " + r);
                assertEquals("allow", Box.field(r, "decision"), r);
                assertEquals("allowlist:" + NAME, Box.field(r, "reason"), r);
                assertEquals(String.valueOf(c.sent), Box.field(r, "bytesUp"), r);
                assertEquals(String.valueOf(c.received), Box.field(r, "bytesDown"), r);
                assertTrue(List.of("client", "upstream").contains(Box.field(r, "closedBy")), r);
            }
            assertEquals(0, box.buffersInUse(), "relay buffers still lent out after every connection closed");
            System.out.printf("integrity: %d connections (modes %s), %.1f MB relayed in %.1f s, every SHA-256 equal end to end%n",
                    CONNECTIONS, java.util.Arrays.toString(modes), total / 1e6, elapsed / 1e9);
        }
    }
}
