package lnm.ops;

import static lnm.testing.Lnm.field;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.admin.AdminHttp;
import lnm.admin.PromParser;
import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TcpServer;

/**
 * Two hundred connections stream through lnm while the allowlist file is rewritten: every
 * stream finishes byte-exact under the rules it started with, and connections made after the
 * reload follow the new list.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReloadUnderLoadTest {
    private static final int STREAMS = 200;
    private static final int CHUNK = 4096;
    /** Chunks each stream sends before the reload (all of them) and after it. */
    private static final int BEFORE = 8;
    private static final int AFTER = 8;

    @TempDir
    Path dir;

    @Test
    void liveStreamsSurviveAnAllowlistReloadAndNewOnesFollowTheNewList() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(STREAMS, r -> {
            Thread t = new Thread(r, "stream-client");
            t.setDaemon(true);
            return t;
        });
        try (TcpServer up = Traffic.echoServer();
             Lnm lnm = Lnm.start(dir, """
                     listen.https = 127.0.0.1:0
                     admin.listen = 127.0.0.1:0
                     """, "stream.plant.local = 127.0.0.1:" + up.port() + "\n")) {
            int port = lnm.port("https");
            CountDownLatch midway = new CountDownLatch(STREAMS);
            CountDownLatch reloaded = new CountDownLatch(1);
            List<Future<long[]>> streams = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                int id = s;
                streams.add(clients.submit(() -> stream(port, id, midway, reloaded)));
            }
            assertTrue(midway.await(20, TimeUnit.SECONDS), "all streams relaying");
            assertEquals(STREAMS, lnm.app.server().activeConnections());

            // what an operator's editor or config management does
            Files.writeString(dir.resolve("allowlist.properties"), "new.plant.local = 127.0.0.1:" + up.port() + "\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> PromParser.value(AdminHttp.metrics(lnm),
                    "lnm_config_reloads_total", "result", "success") == 1.0);
            assertFalse(Traffic.allowed(port, "stream.plant.local"), "new connections use the new list");
            assertTrue(Traffic.allowed(port, "new.plant.local"));
            // the two probes above close on their own; every stream stays
            await().atMost(Duration.ofSeconds(5)).until(() -> lnm.app.server().activeConnections() == STREAMS);
            assertEquals(STREAMS, lnm.app.server().connections().stream()
                    .filter(ci -> "stream.plant.local".equals(ci.sni()) && ci.state().equals("RELAYING")).count());
            reloaded.countDown();

            java.util.Map<String, Long> sentBy = new java.util.HashMap<>();
            for (Future<long[]> f : streams) {
                long[] r = f.get(20, TimeUnit.SECONDS);
                sentBy.put("127.0.0.1:" + r[0], r[1]);
            }

            List<String> audit = lnm.awaitAudit(STREAMS + 2);
            int allowedStreams = 0;
            for (String r : audit) {
                if ("allow".equals(field(r, "decision")) && "stream.plant.local".equals(field(r, "sni"))) {
                    allowedStreams++;
                    long sent = sentBy.get(field(r, "client"));
                    assertEquals(sent, Long.parseLong(field(r, "bytesUp")), r);
                    assertEquals(sent, Long.parseLong(field(r, "bytesDown")), r);
                    assertEquals("client", field(r, "closedBy"), r);
                }
            }
            assertEquals(STREAMS, allowedStreams);
            await().atMost(Duration.ofSeconds(5)).until(() -> PromParser.value(AdminHttp.metrics(lnm), "lnm_connections_total",
                    "listener", "https", "decision", "allow", "reason", "allowlist:stream.plant.local") == STREAMS);
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * One stream: hello, chunks echoed back and checked, small pings while the reload happens,
     * more chunks, close. Returns its local port and the bytes it sent.
     */
    private static long[] stream(int port, int id, CountDownLatch midway, CountDownLatch reloaded) throws Exception {
        byte[] hello = Hellos.clientHello("stream.plant.local");
        long sent = hello.length;
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(20_000);
            OutputStream out = c.getOutputStream();
            InputStream in = c.getInputStream();
            out.write(hello);
            assertArrayEquals(hello, in.readNBytes(hello.length));
            for (int i = 0; i < BEFORE + AFTER; i++) {
                if (i == BEFORE) {
                    midway.countDown();
                    // keep streaming until the reload is in, so every stream spans it
                    while (!reloaded.await(20, TimeUnit.MILLISECONDS)) {
                        byte[] ping = Traffic.chunk(id, -1, 64);
                        out.write(ping);
                        assertArrayEquals(ping, in.readNBytes(ping.length));
                        sent += ping.length;
                    }
                }
                byte[] b = Traffic.chunk(id, i, CHUNK);
                out.write(b);
                assertArrayEquals(b, in.readNBytes(CHUNK), "stream " + id + " chunk " + i);
                sent += CHUNK;
            }
            c.shutdownOutput();
            assertEquals(-1, in.read(), "upstream closes after the client");
            return new long[] {c.getLocalPort(), sent};
        }
    }
}
