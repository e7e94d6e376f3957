package lnm.hardening;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Out of file descriptors: lnm runs in a child process whose own {@code ulimit -n} is 192
 * (nothing system-wide changes), and 400 idle connections are opened at it. Accept then fails
 * with EMFILE while the listener stays readable; the acceptor must back off instead of spinning
 * (measured, in the test tagged {@code load}: the child's CPU time while it is stuck), stay alive, and, once the flood ends,
 * accept the backlog and serve again. Every connection, including those that waited in the
 * backlog, ends up with exactly one audit record.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FdExhaustionTest {
    static final int FD_LIMIT = 192;
    static final int FLOOD = 400;

    @TempDir
    Path dir;

    @Test
    void acceptBacksOffWhenDescriptorsRunOutAndRecovers() throws Exception {
        exhaustAndRecover(false);
    }

    /** The same, also judging the child's CPU share while stuck: a ratio, so {@code make load-test}. */
    @Test
    @Tag("load")
    void acceptBacksOffWithoutSpinningWhenDescriptorsRunOutAndRecovers() throws Exception {
        exhaustAndRecover(true);
    }

    private void exhaustAndRecover(boolean judgeCpu) throws Exception {
        try (StreamLoad load = new StreamLoad("fd.example");
             ChildLnm lnm = ChildLnm.start(dir, "listen.https = 127.0.0.1:0\nloop.threads = 1\ntimeouts.helloSeconds = 120\n",
                     load.rule(), FD_LIMIT, "-Xmx96m", "-XX:+UseSerialGC", "-Xshare:auto");
             Crowd crowd = new Crowd("fd-flood")) {
            FloodTest.wave(load, lnm.address("https"), null, 20, 1); // every code path loaded and warm
            int baseFds = lnm.fds();

            crowd.open(lnm.address("https"), Crowd.sources(6, 8), FLOOD, null, 0, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> crowd.connected.get() == FLOOD && lnm.log().contains("accept failed"));
            int stuckFds = lnm.fds();
            long cpuMs = 0;
            long wallMs = 1;
            if (judgeCpu) {
                Box.sleep(500);
                stuckFds = lnm.fds();
                long cpu0 = lnm.cpuTicks();
                long t0 = System.nanoTime();
                Box.sleep(3000);
                cpuMs = (lnm.cpuTicks() - cpu0) * 10;
                wallMs = (System.nanoTime() - t0) / 1_000_000;
            }
            double busy = 100.0 * cpuMs / wallMs;
            String report = String.format("fd exhaustion: ulimit -n %d, %d fds open at rest, %d while %d idle connections wait "
                    + "(%d closed by lnm); lnm used %d ms of CPU in %d ms stuck (%.1f%% of one core)",
                    FD_LIMIT, baseFds, stuckFds, FLOOD, crowd.closedByServer.get(), cpuMs, wallMs, busy);
            assertTrue(lnm.alive(), "lnm died: " + lnm.log());
            assertTrue(stuckFds >= FD_LIMIT - 5, "descriptors were not exhausted: " + report);
            if (judgeCpu) {
                assertTrue(busy < 25, "the acceptor spins while out of descriptors: " + report);
            }
            assertEquals(0, crowd.closedByServer.get(), "a waiting connection was dropped: " + report);

            assertEquals(FLOOD, crowd.closeAll());
            List<StreamLoad.Result> after = FloodTest.wave(load, lnm.address("https"), null, 20, 2);
            assertEquals(20, after.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> lnm.audit().size() >= 20 + FLOOD + 20);
            int finalFds = lnm.fds();
            assertEquals(0, lnm.stop(), "exit status after SIGTERM");
            List<String> audit = lnm.audit();
            assertEquals(20 + FLOOD + 20, audit.size(), "one record per connection");
            for (String r : audit) {
                assertNotNull(Box.field(r, "reason"), r);
            }
            long noHello = audit.stream().filter(r -> "no_hello".equals(Box.field(r, "reason"))).count();
            assertEquals(FLOOD, noHello, "every flood connection, accepted early or late, is audited as no_hello");
            assertTrue(finalFds <= baseFds + 5, "descriptors after the flood " + finalFds + " vs " + baseFds + " before");
            System.out.println(report + "; after the flood: 20 verified streams, " + finalFds + " fds, " + audit.size()
                    + " audit records (" + noHello + " no_hello)");
        }
    }
}
