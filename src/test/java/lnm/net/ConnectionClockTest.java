package lnm.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.audit.AuditLog;
import lnm.audit.AuditRecord;
import lnm.audit.Side;
import lnm.audit.Verdict;
import lnm.config.Config;
import lnm.config.ListenerSpec;
import lnm.config.LoadResult;
import lnm.floor.EventLoop;

/**
 * A connection's deadlines read its loop's clock, the one a test can step: a hello timeout of
 * five minutes passes when the clock is moved five minutes on, with no wall-clock wait.
 */
class ConnectionClockTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);
    final AtomicLong clock = new AtomicLong(1_000);
    EventLoop loop;
    AuditLog audit;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.stop();
            loop.join(10_000);
        }
        if (audit != null) {
            audit.close();
        }
    }

    <T> T on(java.util.function.Supplier<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(task.get()));
        return f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void theHelloTimeoutPassesOnTheLoopsClock() throws Exception {
        Files.writeString(dir.resolve("allowlist.properties"), "");
        Files.writeString(dir.resolve("lnm.properties"), "level = 3\nlisten.https = 127.0.0.1:0\n"
                + "allowlist = allowlist.properties\ntimeouts.helloSeconds = 300\n");
        LoadResult r = Config.load(dir.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        Config c = r.config();
        ListenerSpec spec = c.listeners().get(0);
        List<AuditRecord> done = new CopyOnWriteArrayList<>();
        audit = new AuditLog(dir.resolve("audit.jsonl"), 0, 0, 16);
        Services services = new Services(c, audit, null, null, null, done::add);
        loop = new EventLoop("clock-loop", 1024, clock::get);
        loop.start();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
            SocketChannel accepted = server.accept();
            InetSocketAddress peer = (InetSocketAddress) accepted.getRemoteAddress();
            Admission a = services.admit(spec, peer.getAddress(), c);
            assertEquals(Admission.ADMITTED, a);
            on(() -> {
                new Connection(loop, services, c, spec, accepted, peer, a).start();
                return null;
            });
            clock.addAndGet(60_000); // a minute: ticks run, the five minutes are not up
            on(() -> null);
            assertEquals(1, (int) on(loop::liveCount), "still reading the hello");
            assertTrue(done.isEmpty());

            clock.addAndGet(300_000); // past the five minutes
            loop.execute(() -> { }); // wakes the loop, which ticks on the new time
            await().atMost(PATIENCE).until(() -> !done.isEmpty());
            AuditRecord rec = done.get(0);
            assertEquals("hello_timeout", rec.reason());
            assertEquals(Verdict.DENY, rec.decision());
            assertEquals(Side.LNM, rec.closedBy());
            assertEquals(0, services.active(), "the limits' count released");
        }
    }
}
