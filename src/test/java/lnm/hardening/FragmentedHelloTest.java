package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;

/**
 * A hello cut into one-byte records, each in its own segment (paced so that each lands in its
 * own read): cheap for the client, and, since every read hands the parser all that is
 * buffered, a cost for lnm in the square of the records. Six such clients must not slow
 * legitimate setups beyond twice their unloaded time; each is refused ({@code malformed_hello})
 * once its hello is still incomplete after 256 records. The loops' CPU time is reported: most
 * of what remains is the kernel's cost of 40,000 tiny segments a second.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FragmentedHelloTest {
    static final int ATTACKERS = 6;

    @TempDir
    Path dir;

    static long loopCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo ti : mx.dumpAllThreads(false, false)) {
            if (ti.getThreadName().startsWith("lnm-loop-")) {
                sum += mx.getThreadCpuTime(ti.getThreadId());
            }
        }
        return sum;
    }

    /** Sends a 65000-byte hello one record of one byte at a time, every ~150 us, until cut off. */
    static void attack(InetSocketAddress to, AtomicBoolean stop, AtomicInteger connections) {
        while (!stop.get()) {
            try (Client c = Client.connect(to)) {
                connections.incrementAndGet();
                OutputStream out = c.socket.getOutputStream();
                out.write(new byte[] {22, 3, 1, 0, 1, 1});
                for (byte b : new byte[] {0, (byte) 0xfd, (byte) 0xe8}) {
                    out.write(new byte[] {22, 3, 1, 0, 1, b});
                }
                for (int i = 0; i < 22_000 && !stop.get(); i++) {
                    out.write(new byte[] {22, 3, 1, 0, 1, 0x55});
                    LockSupport.parkNanos(150_000);
                }
                c.drain(Duration.ofSeconds(15));
            } catch (IOException e) {
                // cut off by lnm: go again
            }
        }
    }

    @Test
    void oneByteRecordsCostLnmNoMoreThanTheyAreWorth() throws Exception {
        byte[] hello = Hellos.clientHello("real.frag.example");
        try (Streams up = Streams.server("upstream", InetAddress.getLoopbackAddress(), hello.length,
                head -> new Streams.Spec(new byte[] {'Y'}, 0, 0, true, 0), s -> { });
             Box box = Box.start(dir, "listen.https = 127.0.0.1:0\n", "real.frag.example = 127.0.0.1:" + up.port() + "\n")) {
            InetSocketAddress lnm = box.address("https");
            int legit = 0;
            for (int i = 0; i < 400; i++, legit++) {
                SlowlorisTest.setup(lnm, hello);
            }
            List<Long> unloaded = new ArrayList<>();
            for (int i = 0; i < 300; i++, legit++) {
                unloaded.add(SlowlorisTest.setup(lnm, hello));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger attacks = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < ATTACKERS; i++) {
                Thread t = new Thread(() -> attack(lnm, stop, attacks), "fragmenter-" + i);
                t.setDaemon(true);
                t.start();
                ts.add(t);
            }
            Box.sleep(1000);
            long cpu0 = loopCpuNanos();
            long t0 = System.nanoTime();
            List<Long> loaded = new ArrayList<>();
            while (System.nanoTime() - t0 < 5_000_000_000L) {
                loaded.add(SlowlorisTest.setup(lnm, hello));
                legit++;
            }
            long cpuMs = (loopCpuNanos() - cpu0) / 1_000_000;
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            stop.set(true);
            for (Thread t : ts) {
                t.join(20_000);
            }
            long p50u = SlowlorisTest.percentile(unloaded, 0.5);
            long p50l = SlowlorisTest.percentile(loaded, 0.5);
            String report = String.format("fragmented hellos: %d clients sending one-byte records (%d connections): loops used "
                    + "%d ms of CPU in %d ms; legitimate setup p50 %.2f ms unloaded vs %.2f ms loaded (p90 %.2f, n=%d): x%.2f",
                    ATTACKERS, attacks.get(), cpuMs, wallMs, p50u / 1000.0, p50l / 1000.0,
                    SlowlorisTest.percentile(loaded, 0.9) / 1000.0, loaded.size(), (double) p50l / p50u);
            System.out.println(report);
            // 4x, not the slowloris test's 2x: here the six attacker threads themselves take CPU
            // from the same two cores lnm and the measuring client run on (about 40k segments/s).
            // The quadratic re-parse this guards against cost 10x and more.
            assertTrue(p50l <= 4 * p50u, report);
            box.assertAuditComplete(legit + attacks.get(), Duration.ofSeconds(30));
            // Each attacker's last connection may be cut short by the stop, before 256 records:
            // that one ends at the hello timeout instead.
            long cutShort = box.count("hello_timeout");
            assertTrue(cutShort <= ATTACKERS, box.reasons().toString());
            assertEquals(attacks.get(), box.count("malformed_hello") + cutShort, box.reasons().toString());
        }
    }
}
