package lnm.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.testing.RawHttp;
import lnm.testing.StatusServer;

/** The real probes against loopback sockets, and the background rounds. */
class ParentCheckerTest {
    @TempDir
    Path dir;
    @TempDir
    Path dir2;

    @Test
    void tcpProbe() throws IOException {
        try (ServerSocket up = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertNull(ParentChecker.tcp("127.0.0.1", up.getLocalPort(), 5_000));
        }
        String why = ParentChecker.tcp("127.0.0.1", RawHttp.closedPort(), 5_000);
        assertNotNull(why);
        assertTrue(why.startsWith("tcp check of 127.0.0.1:"), why);
    }

    @Test
    void httpProbeWants200() throws IOException {
        try (ServerSocket ok = StatusServer.start("200 OK"); ServerSocket busy = StatusServer.start("503 Service Unavailable")) {
            assertNull(ParentChecker.http("127.0.0.1", ok.getLocalPort(), "/readyz", 5_000));
            String why = ParentChecker.http("127.0.0.1", busy.getLocalPort(), "/readyz", 5_000);
            assertTrue(why.endsWith("/readyz: HTTP/1.1 503 Service Unavailable"), why);
        }
        assertNotNull(ParentChecker.http("127.0.0.1", RawHttp.closedPort(), "/readyz", 5_000));
    }

    @Test
    void backgroundRoundsMarkADeadParentDownAndBringItBack() throws IOException {
        int port = RawHttp.closedPort();
        Config c = Configs.load(dir, "parent = 127.0.0.1:" + port + ", 127.0.0.2:" + port, "parent.checkSeconds = 0.1");
        ParentSet set = new ParentSet(c, () -> System.nanoTime() / 1_000_000);
        try (ParentChecker checker = new ParentChecker(set, () -> c)) {
            checker.start();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !set.status().get(0).up());
            try (ServerSocket back = new ServerSocket()) {
                back.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> set.status().get(0).up());
                assertEquals(List.of(new HostPort("127.0.0.1", port), new HostPort("127.0.0.2", port)),
                        set.candidates());
            }
            assertFalse(set.status().get(1).up(), "nothing listens on 127.0.0.2");
        }
    }

    @Test
    void aSingleParentIsNotProbed() throws Exception {
        int port = RawHttp.closedPort();
        Config c = Configs.load(dir, "parent = 127.0.0.1:" + port, "parent.checkSeconds = 0.1");
        ParentSet set = new ParentSet(c, () -> System.nanoTime() / 1_000_000);
        try (ParentChecker checker = new ParentChecker(set, () -> c)) {
            checker.start();
            // a second set on the same rounds would have been probed by now; this one stays up
            Config two = Configs.load(dir2, "parent = 127.0.0.1:" + port + ", 127.0.0.2:" + port,
                    "parent.checkSeconds = 0.1");
            ParentSet other = new ParentSet(two, () -> System.nanoTime() / 1_000_000);
            try (ParentChecker second = new ParentChecker(other, () -> two)) {
                second.start();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !other.status().get(0).up());
            }
            assertTrue(set.status().get(0).up(), "one parent: no probe marked it down");
        }
    }
}
