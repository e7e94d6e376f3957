package lnm.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Appliance.StartException;
import lnm.floor.EventLoop;
import lnm.testing.Lnm;

/**
 * Each loop accepts on its own socket of a listener; connections are placed on the least loaded
 * loop; the port stays lnm's alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptorTest {
    private static final String CONFIG = """
            level = 3
            loop.threads = 2
            listen.https = 127.0.0.1:%d
            timeouts.helloSeconds = 30
            """;

    @TempDir
    Path dir;

    @Test
    void everyLoopAcceptsOnItsOwnSocket() throws Exception {
        try (Lnm lnm = Lnm.start(dir, CONFIG.formatted(0), "")) {
            InetSocketAddress at = lnm.address("https");
            List<SocketChannel> clients = new ArrayList<>();
            try {
                // 64 connections that send nothing stay in READING_HEAD; the kernel spreads them
                // over the group by their source port, the loops even out what it did not.
                for (int i = 0; i < 64; i++) {
                    clients.add(SocketChannel.open(at));
                }
                EventLoop[] loops = lnm.app.server().loops();
                await().atMost(Duration.ofSeconds(20)).until(() -> loops[0].liveCount() + loops[1].liveCount() == 64);
                assertTrue(loops[0].liveCount() > 0 && loops[1].liveCount() > 0,
                        "both loops hold connections: " + loops[0].liveCount() + " and " + loops[1].liveCount());
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void connectionsArePlacedOnTheLeastLoadedLoop() throws Exception {
        try (Lnm lnm = Lnm.start(dir, CONFIG.formatted(0), "")) {
            InetSocketAddress at = lnm.address("https");
            EventLoop[] loops = lnm.app.server().loops();
            List<SocketChannel> clients = new ArrayList<>();
            try {
                // One at a time, each counted before the next: whichever socket the kernel gives
                // a connection to, it goes to the loop with fewer, so the two never differ by
                // more than one. (The kernel's hash alone splits 16 evenly one time in five.)
                for (int i = 1; i <= 16; i++) {
                    clients.add(SocketChannel.open(at));
                    int n = i;
                    await().atMost(Duration.ofSeconds(20)).until(() -> loops[0].liveCount() + loops[1].liveCount() == n);
                    assertTrue(Math.abs(loops[0].liveCount() - loops[1].liveCount()) <= 1,
                            "after " + n + ": " + loops[0].liveCount() + " and " + loops[1].liveCount());
                }
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aSecondLnmCannotBindAPortInUse() throws Exception {
        try (Lnm lnm = Lnm.start(Files.createDirectory(dir.resolve("a")), CONFIG.formatted(0), "")) {
            int port = lnm.port("https");
            Path other = Files.createDirectory(dir.resolve("b"));
            // SO_REUSEPORT would let a process of the same user join the group and take a share
            // of the connections; lnm binds the address plainly first, so it is refused.
            assertThrows(StartException.class, () -> Lnm.start(other, CONFIG.formatted(port), "").close());
        }
    }
}
