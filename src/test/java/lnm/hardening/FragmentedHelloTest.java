package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hello cut into one-byte records, each in its own segment (paced so that each lands in its
 * own read). Every read hands the parser all that is buffered, so without a bound the loop's
 * work per segment grows with the records already in: the square of the hello. Measured
 * against a control that sends the same segments at the same pace inside one big record
 * (constant work per segment), the loop's CPU per segment must stay within 2.5 times the
 * control's; each fragmenting client is refused ({@code malformed_hello}) at 256 records.
 *
 * <p>A CPU ratio, meaningful on a quiet machine only: tagged {@code load} ({@code make
 * load-test}). The refusal at 256 records itself is checked in {@code make test} by
 * {@code lnm.tls.RecordLimitTest} (every split point) and {@code LimitsTest} (end to end).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FragmentedHelloTest {
    static final int ATTACKERS = 6;
    static final long PHASE_NANOS = 4_000_000_000L;

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

    /**
     * Sends a hello 6 bytes per write, every ~100 us: as one-byte records ({@code fragmented}),
     * or as the body of one big record; starts over when refused.
     */
    static void attack(InetSocketAddress to, boolean fragmented, AtomicBoolean stop, AtomicInteger connections, AtomicLong writes) {
        while (!stop.get()) {
            try (Client c = Client.connect(to)) {
                connections.incrementAndGet();
                OutputStream out = c.socket.getOutputStream();
                // A 1,000,000-byte hello (limits.helloMaxBytes = 1MiB): as one-byte records, or in
                // one record of 16,000 bytes whose body then runs past it (refused when it ends).
                if (fragmented) {
                    out.write(new byte[] {22, 3, 1, 0, 1, 1});
                    for (byte b : new byte[] {0x0f, 0x42, 0x40}) {
                        out.write(new byte[] {22, 3, 1, 0, 1, b});
                    }
                } else {
                    out.write(new byte[] {22, 3, 1, 0x3e, (byte) 0x80, 1, 0x0f, 0x42, 0x40});
                }
                for (int i = 0; i < (fragmented ? 150_000 : 2_600) && !stop.get(); i++) {
                    out.write(fragmented ? new byte[] {22, 3, 1, 0, 1, 0x55} : new byte[] {0x55, 0x55, 0x55, 0x55, 0x55, 0x55});
                    writes.incrementAndGet();
                    LockSupport.parkNanos(100_000);
                    if (i % 32 == 0 && c.socket.getInputStream().available() > 0) {
                        break; // refused (an alert came): start over at once
                    }
                }
            } catch (IOException e) {
                // cut off by lnm: go again
            }
        }
    }

    /** Runs one phase; returns loop CPU nanoseconds per segment sent. */
    static double phase(InetSocketAddress lnm, boolean fragmented, AtomicInteger connections, StringBuilder report) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < ATTACKERS; i++) {
            Thread t = new Thread(() -> attack(lnm, fragmented, stop, connections, writes), "attacker-" + i);
            t.setDaemon(true);
            t.start();
            ts.add(t);
        }
        Box.sleep(500);
        long cpu0 = loopCpuNanos();
        long w0 = writes.get();
        Box.sleep(PHASE_NANOS / 1_000_000);
        long cpu = loopCpuNanos() - cpu0;
        long w = writes.get() - w0;
        stop.set(true);
        for (Thread t : ts) {
            t.join(20_000);
        }
        double perSegment = (double) cpu / Math.max(1, w);
        report.append(String.format("%s: %,d segments, loops %d ms of CPU, %.1f us per segment; ", fragmented ? "one-byte records"
                : "one record (control)", w, cpu / 1_000_000, perSegment / 1000));
        return perSegment;
    }

    @Test
    @Tag("load")
    void oneByteRecordsCostLnmNoMoreThanTheirSegmentsAreWorth() throws Exception {
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\nlimits.helloMaxBytes = 1MiB\ntimeouts.helloSeconds = 30\n",
                "a.example = 127.0.0.1:9\n")) {
            InetSocketAddress lnm = box.address("https");
            AtomicInteger connections = new AtomicInteger();
            StringBuilder report = new StringBuilder("fragmented hellos, " + ATTACKERS + " clients each: ");
            phase(lnm, false, connections, new StringBuilder()); // warm-up
            double control = phase(lnm, false, connections, report);
            double fragmented = phase(lnm, true, connections, report);
            report.append(String.format("ratio x%.2f", fragmented / control));
            System.out.println(report);
            assertTrue(fragmented <= 2.5 * control, report.toString());
            box.assertAuditComplete(connections.get(), Duration.ofSeconds(30));
            assertEquals(connections.get(), box.count("malformed_hello") + box.count("hello_incomplete"), box.reasons().toString());
        }
    }
}
