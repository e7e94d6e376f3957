package lnm.hardening;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.UnixOperatingSystemMXBean;

import lnm.testing.Hellos;

/**
 * Slowloris. In {@code make test}: a crowd of slow connections that never finish their hello is
 * cut at the hello timeout, never before, each with its audit record, while real clients are
 * served beside it. Tagged {@code load} ({@code make load-test}, a quiet machine): 2,000
 * connections (from eight loopback sources, one selector thread) each send a
 * real ClientHello one byte every ~2 s, never finishing; each one lnm closes is replaced at once,
 * so 2,000 stay open throughout. With {@code timeouts.helloSeconds = 3} every slow connection
 * must be closed at the hello timeout (counted from accept, so dribbling does not extend it),
 * and a legitimate client's setup time (connect, hello, first byte back from the upstream)
 * must stay within twice its unloaded value.
 *
 * <p>Needs about 5,000 file descriptors in this JVM (both ends of every slow connection live
 * here); with a lower {@code ulimit -n} it is skipped with the reason, nothing is raised.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowlorisTest {
    static final int SLOW = 2000;
    static final long HELLO_TIMEOUT_MS = 3000;
    static final long NEED_FDS = 5000;

    @TempDir
    Path dir;

    static long fdLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean u ? u.getMaxFileDescriptorCount() : -1;
    }

    /** One legitimate connection: connect, hello, first byte back; returns microseconds to that byte. */
    static long setup(InetSocketAddress lnm, byte[] hello) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            s.connect(lnm, 5_000);
            s.getOutputStream().write(hello);
            InputStream in = s.getInputStream();
            if (in.read() != 'Y') {
                throw new IOException("no answer from the upstream");
            }
            long us = (System.nanoTime() - t0) / 1_000;
            s.shutdownOutput();
            in.readAllBytes();
            return us;
        }
    }

    static long percentile(List<Long> v, double p) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get((int) Math.min(s.size() - 1, Math.max(0, Math.ceil(s.size() * p) - 1)));
    }

    /** lnm counts deadlines in whole milliseconds, and so does a member's life: each may lose up to one. */
    static final long CLOCK_TICK_MILLIS = 2;

    @Test
    void slowHellosAreCutAtTheHelloTimeoutWhileRealClientsAreServed() throws Exception {
        int slow = 200;
        long timeoutMs = 2000;
        byte[] hello = Hellos.clientHello("real.slowloris.example");
        try (Streams up = Streams.server("upstream", InetAddress.getLoopbackAddress(), hello.length,
                     head -> new Streams.Spec(new byte[] {'Y'}, 0, 0, true, 0), s -> { });
             Box box = Box.start(dir, """
                     listen.https = 127.0.0.1:0
                     timeouts.helloSeconds = %s
                     """.formatted(timeoutMs / 1000.0), "real.slowloris.example = 127.0.0.1:" + up.port() + "\n");
             Crowd crowd = new Crowd("slowloris")) {
            InetSocketAddress lnm = box.address("https");
            crowd.open(lnm, Crowd.sources(5, 4), slow, hello, 500, false);
            await().atMost(Duration.ofSeconds(60)).until(() -> crowd.connected.get() == slow);
            int legit = 50;
            for (int i = 0; i < legit; i++) {
                setup(lnm, hello); // each one answered (or it throws), the crowd still open
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> crowd.ended.size() == slow);
            for (Crowd.Member m : crowd.ended) {
                assertTrue(!m.end.equals("us") && !m.end.equals("connect-failed"), "a slow connection ended by " + m.end);
                // measured from before the connect, so never shorter than lnm's own timer, less the rounding of
                // whole milliseconds on both sides (lnm's clock and this life are each cut to whole ms)
                assertTrue(m.lifeMillis() >= timeoutMs - CLOCK_TICK_MILLIS, "closed before the hello timeout: " + m.lifeMillis() + " ms");
            }
            box.assertAuditComplete(slow + legit, Duration.ofSeconds(30));
            assertEquals(slow, box.count("hello_timeout"), box.reasons().toString());
            assertEquals(legit, box.count("allowlist:real.slowloris.example"), box.reasons().toString());
        }
    }

    /** The same at full size, judging how soon the slow ones are cut and what the attack costs a real client: timings, so {@code make load-test}. */
    @Test
    @Tag("load")
    void slowHellosAreCutAtTheHelloTimeoutWhileRealClientsKeepTheirPace() throws Exception {
        long limit = fdLimit();
        assumeTrue(limit < 0 || limit >= NEED_FDS, "skipped: the file descriptor limit (ulimit -n) is " + limit
                + "; this test holds both ends of " + SLOW + " connections in one JVM and needs " + NEED_FDS);
        byte[] hello = Hellos.clientHello("real.slowloris.example");
        List<InetAddress> sources = Crowd.sources(5, 8);
        try (Streams up = Streams.server("upstream", InetAddress.getLoopbackAddress(), hello.length,
                     head -> new Streams.Spec(new byte[] {'Y'}, 0, 0, true, 0), s -> { });
             Box box = Box.start(dir, """
                     listen.https = 127.0.0.1:0
                     timeouts.helloSeconds = %s
                     """.formatted(HELLO_TIMEOUT_MS / 1000.0), "real.slowloris.example = 127.0.0.1:" + up.port() + "\n");
             Crowd crowd = new Crowd("slowloris")) {
            InetSocketAddress lnm = box.address("https");
            int legit = 0;
            for (int i = 0; i < 400; i++, legit++) {
                setup(lnm, hello); // warm-up: JIT, pools, caches
            }
            List<Long> unloaded = new ArrayList<>();
            for (int i = 0; i < 300; i++, legit++) {
                unloaded.add(setup(lnm, hello));
            }

            long attackStart = System.nanoTime();
            crowd.open(lnm, sources, SLOW, hello, 2000, true);
            await().atMost(Duration.ofSeconds(30)).until(() -> crowd.connected.get() >= SLOW);
            long rampMs = (System.nanoTime() - attackStart) / 1_000_000;
            List<Long> loaded = new ArrayList<>();
            int minLive = Integer.MAX_VALUE;
            long until = System.nanoTime() + 8_000_000_000L;
            while (System.nanoTime() < until) {
                loaded.add(setup(lnm, hello));
                legit++;
                minLive = Math.min(minLive, crowd.live());
            }
            crowd.stopReplacing();
            await().atMost(Duration.ofSeconds(HELLO_TIMEOUT_MS / 1000 + 10)).until(() -> crowd.live() == 0);
            int slowTotal = crowd.connected.get();

            List<Long> lives = new ArrayList<>();
            for (Crowd.Member m : crowd.ended) {
                assertTrue(!m.end.equals("us") && !m.end.equals("connect-failed"), "a slow connection ended by " + m.end);
                lives.add(m.lifeMillis());
            }
            assertEquals(slowTotal, lives.size());
            long p50u = percentile(unloaded, 0.5);
            long p50l = percentile(loaded, 0.5);
            String report = String.format("slowloris: %d slow connections (%d open at once, never fewer than %d while measuring; "
                    + "ramp %d ms) closed after %d..%d ms (p50 %d, p99 %d) with helloSeconds=%.1f; legitimate setup p50 %.2f ms "
                    + "unloaded (n=%d, p90 %.2f) vs %.2f ms loaded (n=%d, p90 %.2f): x%.2f",
                    slowTotal, SLOW, minLive, rampMs, Collections.min(lives), Collections.max(lives), percentile(lives, 0.5),
                    percentile(lives, 0.99), HELLO_TIMEOUT_MS / 1000.0, p50u / 1000.0, unloaded.size(),
                    percentile(unloaded, 0.9) / 1000.0, p50l / 1000.0, loaded.size(), percentile(loaded, 0.9) / 1000.0,
                    (double) p50l / p50u);
            System.out.println(report + "; audit " + box.reasons());
            assertTrue(Collections.min(lives) >= HELLO_TIMEOUT_MS - 50, "closed before the hello timeout: " + report);
            // Closed at the timeout: lnm checks deadlines every 100 ms, and 2,000 connections
            // opened together expire together, so a burst of closes (and of reconnects) adds lag.
            assertTrue(percentile(lives, 0.5) <= HELLO_TIMEOUT_MS + 1000, "closed late: " + report);
            assertTrue(percentile(lives, 0.99) <= HELLO_TIMEOUT_MS + 2500, "closed late: " + report);
            assertTrue(minLive >= SLOW * 9 / 10, "the attack did not hold its 2,000 connections: " + report);
            assertTrue(p50l <= 2 * p50u, "legitimate setup time more than doubled under the slowloris: " + report);

            box.assertAuditComplete(slowTotal + legit, Duration.ofSeconds(30));
            assertEquals(slowTotal, box.count("hello_timeout"), box.reasons().toString());
            assertEquals(legit, box.count("allowlist:real.slowloris.example"), box.reasons().toString());
        }
    }
}
