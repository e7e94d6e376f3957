package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Lnm;

/**
 * The memory attack on the jlink image, started by its own launcher with its default flags
 * ({@code make image}; {@code make load-test} builds it): five source addresses (127.0.0.2-6)
 * open 1,000 connections each, every one sending a legal 64 KiB ClientHello minus its last byte
 * and then waiting. The head budget ({@code limits.headBytes = auto}) keeps lnm up: what does not
 * fit is refused as {@code head_budget}, the rest ends at the hello timeout. Meanwhile a sixth
 * address (127.0.0.7) keeps getting relayed, and afterwards every attack connection has its
 * audit record. The attack paces itself under {@code limits.perSourceRate} so that the head
 * budget, not the rate limit, is what stands in its way. Prints what it saw and keeps it in
 * {@code target/memory-attack.txt}.
 */
@Tag("load")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MemoryAttackLoadTest {
    static final int SOURCES = 5;
    static final int PER_SOURCE = 1_000;
    /** New connections a second per attacking source: under the default rate limit. */
    static final int PACE = 150;
    static final Pattern LISTENER = Pattern.compile("listener https \\(\\w+\\) on [0-9.]+:(\\d+)");

    @TempDir
    Path dir;

    /** A ClientHello whose records add up to exactly 64 KiB. */
    static byte[] hello64k() {
        int m0 = new HelloBuilder().ext(HelloBuilder.sni("a.example")).message().length;
        int pad = 65_516 - m0 - 4; // four records of at most 16 KiB: 20 bytes of record headers
        byte[] b = new HelloBuilder().ext(HelloBuilder.sni("a.example")).ext(21, new byte[pad]).build();
        assertEquals(65_536, b.length);
        return b;
    }

    @Test
    void fiveSourcesHoldingLargeHellosLeaveLnmUpAndTheSixthServed() throws Exception {
        Path lnm = Path.of("build/image/bin/lnm").toAbsolutePath();
        assertTrue(Files.isExecutable(lnm), lnm + " missing: make image (make load-test builds it)");
        byte[] attack = java.util.Arrays.copyOf(hello64k(), 65_535);
        byte[] small = new HelloBuilder().ext(HelloBuilder.sni("a.example")).build();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (ServerSocket upstream = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
            pool.submit(() -> answerHellos(upstream, small.length, done));
            int admin = freePort();
            Files.writeString(dir.resolve("lnm.properties"), "listen.https = 127.0.0.1:0\nadmin.listen = 127.0.0.1:" + admin
                    + "\nallowlist = allowlist.properties\naudit.file = audit.jsonl\ndirect.allowSpecialAddresses = any\nshutdown.drainSeconds = 1\n");
            Files.writeString(dir.resolve("allowlist.properties"), "a.example = 127.0.0.1:" + upstream.getLocalPort() + "\n");
            Path log = dir.resolve("lnm.log");
            Process p = new ProcessBuilder(lnm.toString(), "run", "--config", dir.resolve("lnm.properties").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                int port = awaitPort(p, log);
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
                Watch watch = new Watch(p.pid(), admin);
                Future<?> watching = pool.submit(() -> watch.run(done));
                AtomicLong served = new AtomicLong();
                List<String> sixthFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
                Future<?> sixth = pool.submit(() -> sixth(to, small, served, sixthFailures, done));

                List<Future<List<SocketChannel>>> attackers = new ArrayList<>();
                for (int s = 0; s < SOURCES; s++) {
                    InetAddress from = InetAddress.getByName("127.0.0." + (2 + s));
                    attackers.add(pool.submit(() -> attackFrom(from, to, attack)));
                }
                List<SocketChannel> all = new ArrayList<>();
                for (Future<List<SocketChannel>> f : attackers) {
                    all.addAll(f.get(120, TimeUnit.SECONDS));
                }
                long servedDuringAttack = served.get();
                awaitAllClosed(all, Duration.ofSeconds(60)); // refused at once, or at the hello timeout
                long servedAfterAttack = served.get();
                assertTrue(p.isAlive(), "lnm is up: " + Files.readString(log));
                Thread.sleep(500);
                done.set(true);
                sixth.get(30, TimeUnit.SECONDS);
                watching.get(30, TimeUnit.SECONDS);

                Map<String, Long> reasons = new TreeMap<>();
                Map<String, Long> bySource = new TreeMap<>();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (true) {
                    reasons.clear();
                    bySource.clear();
                    for (String line : Files.readAllLines(dir.resolve("audit.jsonl"), StandardCharsets.UTF_8)) {
                        String client = Lnm.field(line, "client");
                        String ip = client.substring(0, client.lastIndexOf(':'));
                        bySource.merge(ip, 1L, Long::sum);
                        if (!ip.equals("127.0.0.7")) {
                            reasons.merge(Lnm.field(line, "reason"), 1L, Long::sum);
                        }
                    }
                    long attackRecords = reasons.values().stream().mapToLong(Long::longValue).sum();
                    if (attackRecords >= SOURCES * PER_SOURCE || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(200);
                }
                String report = "attack: " + SOURCES + " sources x " + PER_SOURCE + " connections, 65,535 of a 65,536-byte hello each\n"
                        + "attack records by reason: " + reasons + "\n"
                        + "records by source address: " + bySource + "\n"
                        + "head budget: " + watch.headLimit + " bytes, most held " + watch.maxHead + "\n"
                        + "heap: limit " + watch.heapLimit + ", most used " + watch.maxHeap + "; RSS peak (VmHWM) " + watch.hwm + " kB\n"
                        + "sixth address: " + served.get() + " relayed (" + servedDuringAttack + " while the attack was opening, "
                        + (servedAfterAttack - servedDuringAttack) + " while it held), failures " + sixthFailures + "\n";
                System.out.print(report);
                Files.createDirectories(Path.of("target"));
                Files.writeString(Path.of("target", "memory-attack.txt"), report);

                String out = Files.readString(log);
                assertFalse(out.contains("OutOfMemoryError"), out);
                assertTrue(p.isAlive(), "lnm is up");
                for (int s = 0; s < SOURCES; s++) {
                    assertEquals(PER_SOURCE, bySource.getOrDefault("127.0.0." + (2 + s), 0L), "records for 127.0.0." + (2 + s) + ": " + report);
                }
                assertTrue(reasons.getOrDefault("head_budget", 0L) > 0, "the budget was reached: " + report);
                assertTrue(sixthFailures.isEmpty(), report);
                assertTrue(servedDuringAttack > 0 && servedAfterAttack > servedDuringAttack, report);
                assertEquals(served.get(), bySource.getOrDefault("127.0.0.7", 0L), "one record per sixth-address connection: " + report);
            } finally {
                done.set(true);
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
    }

    /** Opens {@link #PER_SOURCE} connections from {@code from}, paced, each sending {@code attack} and keeping still. */
    static List<SocketChannel> attackFrom(InetAddress from, InetSocketAddress to, byte[] attack) throws IOException, InterruptedException {
        List<SocketChannel> open = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < PER_SOURCE; i++) {
            long due = t0 + i * 1_000_000_000L / PACE;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            SocketChannel ch = SocketChannel.open();
            ch.bind(new InetSocketAddress(from, 0));
            ch.connect(to);
            try {
                ch.write(ByteBuffer.wrap(attack)); // loopback buffers take all of it at once
            } catch (IOException refusedWhileSending) {
                // refused (head_budget) while the hello was still going out: the record tells
            }
            open.add(ch);
        }
        return open;
    }

    /** Waits until lnm has closed every attack connection, then closes our ends. */
    static void awaitAllClosed(List<SocketChannel> all, Duration within) throws IOException, InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        ByteBuffer b = ByteBuffer.allocate(4096);
        List<SocketChannel> left = new ArrayList<>(all);
        for (SocketChannel ch : left) {
            ch.configureBlocking(false);
        }
        while (!left.isEmpty() && System.nanoTime() < until) {
            for (var it = left.iterator(); it.hasNext();) {
                SocketChannel ch = it.next();
                try {
                    b.clear();
                    if (ch.read(b) < 0) {
                        ch.close();
                        it.remove();
                    }
                } catch (IOException reset) {
                    ch.close();
                    it.remove();
                }
            }
            Thread.sleep(100);
        }
        assertTrue(left.isEmpty(), left.size() + " attack connections still open");
    }

    /** The sixth address: one ordinary hello after another, each relayed and answered. */
    static Void sixth(InetSocketAddress to, byte[] hello, AtomicLong served, List<String> failures, AtomicBoolean done) {
        InetAddress from;
        try {
            from = InetAddress.getByName("127.0.0.7");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < 100_000 && !done.get(); i++) {
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(from, 0));
                s.connect(to, 10_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(hello);
                byte[] ok = s.getInputStream().readNBytes(2);
                if (ok.length == 2 && ok[0] == 'O' && ok[1] == 'K') {
                    served.incrementAndGet();
                } else {
                    failures.add("connection " + i + ": got " + ok.length + " bytes");
                }
                Thread.sleep(50);
            } catch (IOException e) {
                failures.add("connection " + i + ": " + e);
            } catch (InterruptedException e) {
                return null;
            }
        }
        return null;
    }

    /** The upstream: reads each relayed hello whole and answers OK. */
    static Void answerHellos(ServerSocket upstream, int helloLength, AtomicBoolean done) {
        for (int i = 0; i < 1_000_000 && !done.get(); i++) {
            try (Socket s = upstream.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                if (in.readNBytes(helloLength).length == helloLength) {
                    s.getOutputStream().write(new byte[] {'O', 'K'});
                }
            } catch (IOException e) {
                if (upstream.isClosed()) {
                    return null;
                }
            }
        }
        return null;
    }

    /** lnm's memory while the attack runs: its metrics and /proc. */
    static final class Watch {
        final long pid;
        final int admin;
        volatile long maxHeap;
        volatile long heapLimit;
        volatile long maxHead;
        volatile long headLimit;
        volatile long hwm;

        Watch(long pid, int admin) {
            this.pid = pid;
            this.admin = admin;
        }

        Void run(AtomicBoolean done) throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).timeout(Duration.ofSeconds(10)).build();
            for (int i = 0; i < 10_000 && !done.get(); i++) {
                try {
                    String m = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
                    maxHeap = Math.max(maxHeap, gauge(m, "lnm_jvm_heap_used_bytes"));
                    heapLimit = gauge(m, "lnm_jvm_heap_max_bytes");
                    maxHead = Math.max(maxHead, gauge(m, "lnm_head_bytes"));
                    headLimit = gauge(m, "lnm_head_bytes_limit");
                } catch (IOException e) {
                    // a busy admin endpoint: try again
                }
                for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (l.startsWith("VmHWM:")) {
                        hwm = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    }
                }
                Thread.sleep(200);
            }
            return null;
        }

        static long gauge(String metrics, String name) {
            Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(metrics);
            return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int awaitPort(Process p, Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            Matcher m = LISTENER.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new IOException("lnm did not start: " + Files.readString(log));
    }
}
