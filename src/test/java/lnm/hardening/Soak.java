package lnm.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import lnm.testing.Hellos;

/**
 * {@code make soak}: lnm in a child process under mixed load for a fixed time (10 minutes by
 * default), with its resident memory and open file descriptors sampled every 30 s; at the end
 * both must be flat and every connection must have its audit record.
 *
 * <p>The audit log rotates during the run whatever the machine's speed: {@code audit.maxBytes}
 * is 512 bytes per second of run time (about two records a second; the refusal trickle alone
 * makes ten times that), with {@code audit.keep} at its maximum so that no file is deleted.
 * The records are counted across the whole rotation set, and the set is checked: numbered
 * without gaps, no line cut at a file boundary, and the refusal trickle (one connection at a
 * time, each name carrying its sequence number) found in the order it was made, every refusal
 * that got an answer present. The verdict does not depend on how many connections the machine
 * managed, only on each one being accounted for.
 *
 * <p>The load, all on loopback and all bounded by the run time: verified streams (SHA-256 both
 * ways, 0 to 256 KiB, every half-close order) kept 40 at a time; a slowloris crowd of 300
 * replaced as lnm closes them; every 5 s a flood of 400 idle connections, past the connection
 * limit (600), held 1 s; and a steady trickle of refusals: names not on the allowlist, garbage,
 * an upstream that refuses, one that resets mid-stream, DNS that fails.
 *
 * <p>Usage: {@code java -cp target/classes:target/test-classes lnm.hardening.Soak [seconds] [sampleSeconds]}.
 * Exit status 0 when flat and complete, 1 otherwise. No JUnit: plain JDK.
 */
public final class Soak {
    private static final int STREAMS = 40;
    private static final int SLOW = 300;
    private static final int FLOOD = 400;
    private static final int MAX_CONNECTIONS = 600;
    private static final int KEEP = 1000;

    private final long seconds;
    private final long sampleSeconds;
    private final List<long[]> samples = new ArrayList<>(); // {elapsed s, rss KiB, fds, audit records}
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong streamsOk = new AtomicLong();
    private final AtomicLong streamsRefused = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong slowChecks = new AtomicLong();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    /** Refusal trickle, by sequence number: whether lnm answered (so it read the name). */
    private final java.util.BitSet refusalAnswered = new java.util.BitSet();
    private int refusalsMade;
    private Path auditFile;
    private volatile boolean running = true;

    private Soak(long seconds, long sampleSeconds) {
        this.seconds = seconds;
        this.sampleSeconds = sampleSeconds;
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 600;
        long sample = args.length > 1 ? Long.parseLong(args[1]) : 30;
        int status = new Soak(seconds, sample).run();
        System.exit(status);
    }

    private int run() throws Exception {
        Path dir = Files.createTempDirectory("lnm-soak");
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = ss.getLocalPort();
        }
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "soak");
            t.setDaemon(true);
            return t;
        });
        ExecutorService checker = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "soak-check");
            t.setDaemon(true);
            return t;
        });
        try (StreamLoad load = new StreamLoad("stream.soak.example");
             ServerSocket resetting = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            Thread resetter = new Thread(() -> resetMidStream(resetting), "soak-resetting-upstream");
            resetter.setDaemon(true);
            resetter.start();
            String allowlist = load.rule()
                    + "*.refused.soak.example = 127.0.0.1:" + closedPort + "\n"
                    + "*.reset.soak.example = 127.0.0.1:" + resetting.getLocalPort() + "\n"
                    + "*.nx.soak.invalid = direct\n";
            long maxBytes = Math.max(16 * 1024, seconds * 512);
            auditFile = dir.resolve("audit.jsonl");
            try (ChildLnm lnm = ChildLnm.start(dir, """
                    listen.https = 127.0.0.1:0
                    limits.maxConnections = %d
                    timeouts.helloSeconds = 3
                    timeouts.connectSeconds = 2
                    timeouts.idleSeconds = 10
                    dns.cacheSeconds = 0
                    audit.maxBytes = %d
                    audit.keep = %d
                    """.formatted(MAX_CONNECTIONS, maxBytes, KEEP), allowlist, 0, "-Xmx128m", "-XX:+UseSerialGC")) {
                Crowd slow = new Crowd("soak-slowloris");
                InetSocketAddress to = lnm.address("https");
                System.out.printf("soak: lnm pid %d on %s for %d s, sampling every %d s; log and audit in %s "
                        + "(audit.maxBytes %d, audit.keep %d)%n", lnm.pid, to, seconds, sampleSeconds, dir, maxBytes, KEEP);
                sample(lnm, 0);
                long baseFds = lnm.fds();
                long t0 = System.nanoTime();
                long end = t0 + seconds * 1_000_000_000L;

                pool.execute(() -> streams(load, to, checker));
                pool.execute(() -> refusals(to));
                slow.open(to, Crowd.sources(7, 4), SLOW, Hellos.clientHello("slow.soak.example"), 1000, true);
                long nextSample = t0 + sampleSeconds * 1_000_000_000L;
                long nextFlood = t0 + 5_000_000_000L;
                List<Crowd> floods = new ArrayList<>();
                List<Long> floodFull = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long now = System.nanoTime();
                    if (now >= nextFlood) {
                        Crowd f = new Crowd("soak-flood-burst");
                        f.open(to, Crowd.sources(8, 8), FLOOD, null, 0, false);
                        floods.add(f);
                        floodFull.add(0L);
                        nextFlood = now + 5_000_000_000L;
                    }
                    for (int i = floods.size() - 1; i >= 0; i--) { // each burst is held about a second
                        Crowd f = floods.get(i);
                        if (floodFull.get(i) == 0 && f.connected.get() + f.connectFailed.get() >= FLOOD) {
                            floodFull.set(i, now);
                        }
                        if (floodFull.get(i) != 0 && now - floodFull.get(i) >= 1_000_000_000L) {
                            f.close();
                            connections.addAndGet(f.connected.get());
                            floods.remove(i);
                            floodFull.remove(i);
                        }
                    }
                    if (now >= nextSample) {
                        sample(lnm, (now - t0) / 1_000_000_000L);
                        nextSample += sampleSeconds * 1_000_000_000L;
                    }
                    Thread.sleep(50);
                }
                running = false;
                Thread.sleep(3000);
                List<String> stuck = load.clients.describeOpen();
                if (!stuck.isEmpty()) {
                    System.out.println("soak: " + stuck.size() + " client streams still open 3 s after the load stopped:");
                    stuck.stream().limit(10).forEach(x -> System.out.println("soak:   " + x));
                }
                slow.stopReplacing();
                for (Crowd f : floods) {
                    f.close();
                    connections.addAndGet(f.connected.get());
                }
                pool.shutdown();
                pool.awaitTermination(60, TimeUnit.SECONDS);
                long waitUntil = System.nanoTime() + 20_000_000_000L;
                while (slow.live() > 0 && System.nanoTime() < waitUntil) {
                    Thread.sleep(100);
                }
                connections.addAndGet(slow.connected.get());
                slow.close();
                checker.shutdown();
                checker.awaitTermination(30, TimeUnit.SECONDS);
                // Everything the load opened is closed; give lnm its hello timeout to notice. The
                // wait ends when every record is there, or when none has come for 30 s (a busy
                // machine is slower, not stuck), within 10 minutes in all.
                long expected = connections.get();
                long seen = -1;
                long progressAt = System.nanoTime();
                waitUntil = System.nanoTime() + 600_000_000_000L;
                while (System.nanoTime() < waitUntil && System.nanoTime() - progressAt < 30_000_000_000L) {
                    long n = AuditSet.count(auditFile, KEEP);
                    if (n >= expected) {
                        break;
                    }
                    if (n != seen) {
                        seen = n;
                        progressAt = System.nanoTime();
                    }
                    Thread.sleep(200);
                }
                Thread.sleep(1000);
                sample(lnm, (System.nanoTime() - t0) / 1_000_000_000L);
                long finalFds = lnm.fds();
                int exit = lnm.stop();
                return verdict(baseFds, finalFds, exit, expected, AuditSet.read(auditFile, KEEP));
            }
        }
    }

    private void sample(ChildLnm lnm, long elapsed) throws IOException {
        long rss = lnm.rssKb();
        long fds = lnm.fds();
        long records = AuditSet.count(auditFile, KEEP);
        samples.add(new long[] {elapsed, rss, fds, records});
        System.out.printf("soak: t=%4ds rss=%6.1f MiB fds=%5d audit=%8d streams ok=%d refused-at-limit=%d %.1f MB problems=%d%n",
                elapsed, rss / 1024.0, fds, records, streamsOk.get(), streamsRefused.get(), bytes.get() / 1e6, problems.size());
    }

    /** Keeps {@link #STREAMS} verified streams going; a stream refused at the limit is counted, not a problem. */
    private void streams(StreamLoad load, InetSocketAddress to, ExecutorService checker) {
        SplittableRandom rnd = new SplittableRandom(42);
        Semaphore slots = new Semaphore(STREAMS);
        AtomicLong checking = new AtomicLong();
        while (running) {
            try {
                if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            int k = rnd.nextInt(10);
            int mode = k < 4 ? 0 : k < 6 ? 1 : k < 8 ? 2 : k < 9 ? 3 : 4;
            try {
                Thread.sleep(7); // at most ~140 new streams a second, refused ones included
            } catch (InterruptedException e) {
                return;
            }
            CompletableFuture<StreamLoad.Result> f = load.start(to, null, mode, rnd.nextInt(256 * 1024), rnd.nextInt(256 * 1024));
            checking.incrementAndGet();
            f.whenComplete((r, e) -> {
                slots.release();
                if (r != null && r.client().connectedNanos != 0) {
                    connections.incrementAndGet();
                }
            });
            // Checked off the engine's thread: a check may wait for the upstream's end to finish.
            f.whenCompleteAsync((r, e) -> {
                try {
                    if (e != null) {
                        problems.add("stream: " + e);
                        return;
                    }
                    long c0 = System.nanoTime();
                    String p = load.check(r);
                    long took = (System.nanoTime() - c0) / 1_000_000;
                    if (took > 1000 && slowChecks.incrementAndGet() < 5) {
                        System.out.println("soak: slow check " + took + " ms: " + r.client().describe() + " -> " + p
                                + " upstream " + (load.upstreamSide(r.id(), 0) == null ? "none" : load.upstreamSide(r.id(), 0).describe()));
                    }
                    if (p == null) {
                        streamsOk.incrementAndGet();
                        bytes.addAndGet(load.bytes(r));
                    } else if (r.client().received == 0 && load.upstreamSide(r.id(), 0) == null) {
                        // refused at maxConnections during a flood burst; the audit count at the end
                        // shows each of those was recorded
                        streamsRefused.incrementAndGet();
                    } else {
                        problems.add(p);
                    }
                } finally {
                    checking.decrementAndGet();
                }
            }, checker);
        }
        try {
            slots.acquire(STREAMS); // the last ones finish
            while (checking.get() > 0) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The refusal trickle's names; the sequence number {@code n} goes in front. */
    private static final String[] REFUSAL_NAMES = {
        "not-on-the-list.example", null, "refused.soak.example", "reset.soak.example", "nx.soak.invalid"};

    /**
     * About 20 refusals a second of five kinds, each one connection that must be audited, one
     * at a time: the n-th carries {@code sn.} in its name (except the garbage kind), so its
     * record's place in the audit files can be checked.
     */
    private void refusals(InetSocketAddress to) {
        byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (running) {
            int n = refusalsMade;
            String name = REFUSAL_NAMES[n % REFUSAL_NAMES.length];
            try (Socket s = new Socket()) {
                s.setSoTimeout(10_000);
                s.connect(to, 5_000);
                connections.incrementAndGet();
                refusalsMade++;
                s.getOutputStream().write(name == null ? garbage : Hellos.clientHello("s" + n + "." + name));
                InputStream in = s.getInputStream();
                if (in.read() >= 0 && name != null) { // an answer (an alert, the resetting upstream's bytes): lnm read the name
                    refusalAnswered.set(n);
                }
                in.readAllBytes();
            } catch (IOException e) {
                // resets are expected for some kinds
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** An upstream that reads the hello, sends a little and resets. */
    private void resetMidStream(ServerSocket ss) {
        while (!ss.isClosed()) {
            try (Socket s = ss.accept()) {
                s.setSoTimeout(5_000);
                InputStream in = s.getInputStream();
                in.read(new byte[4096]);
                OutputStream out = s.getOutputStream();
                out.write(new byte[10_000]);
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // closed at the end
            }
        }
    }

    private int verdict(long baseFds, long finalFds, int exit, long expected, AuditSet set) {
        List<String> audit = set.records;
        List<String> fail = new ArrayList<>(problems);
        fail.addAll(set.problems);
        if (set.rotated == 0) {
            fail.add("the audit log never rotated: the rotation set was not tested");
        }
        fail.addAll(refusalOrder(audit));
        if (exit != 0) {
            fail.add("lnm exited with " + exit + " after SIGTERM");
        }
        if (finalFds > baseFds + 5) {
            fail.add("file descriptors not flat: " + baseFds + " before the load, " + finalFds + " after it drained");
        }
        // Memory: past the first fifth (heap growth, JIT, pools), the resident size must level off.
        int warm = Math.max(1, samples.size() / 5);
        long warmRss = samples.get(warm)[1];
        long maxLate = 0;
        for (int i = samples.size() * 2 / 3; i < samples.size(); i++) {
            maxLate = Math.max(maxLate, samples.get(i)[1]);
        }
        double slope = slopeKbPerMinute(samples.subList(samples.size() / 2, samples.size()));
        if (maxLate > warmRss * 1.25 + 16 * 1024) {
            fail.add(String.format("RSS grew: %.1f MiB at t=%ds, up to %.1f MiB in the last third", warmRss / 1024.0,
                    samples.get(warm)[0], maxLate / 1024.0));
        }
        if (seconds >= 300 && slope > 1024) { // shorter runs are still warming up
            fail.add(String.format("RSS still rising in the second half: %.0f KiB/min", slope));
        }
        Map<String, Integer> reasons = new TreeMap<>();
        for (String r : audit) {
            String reason = ChildLnmAudit.field(r, "reason");
            if (reason == null) {
                fail.add("audit record without a reason: " + r);
            }
            reasons.merge(String.valueOf(reason), 1, Integer::sum);
        }
        if (audit.size() != expected) {
            fail.add("audit records " + audit.size() + " vs connections made " + expected);
        }
        System.out.printf("soak: audit rotation set, oldest first: %s%n", set.files.size() <= 8 ? set.files
                : set.files.subList(0, 4) + " .. " + set.files.subList(set.files.size() - 4, set.files.size())
                        + " (" + set.files.size() + " files)");
        System.out.printf("soak: %d connections, %d audit records in %d files %s; %d verified streams (%.1f MB), %d refused at the limit; "
                + "fds %d -> %d; RSS %.1f MiB (t=%ds) -> max %.1f MiB in the last third, second-half slope %.0f KiB/min%n",
                expected, audit.size(), set.files.size(), reasons, streamsOk.get(), bytes.get() / 1e6, streamsRefused.get(), baseFds, finalFds,
                warmRss / 1024.0, samples.get(warm)[0], maxLate / 1024.0, slope);
        for (String f : fail.subList(0, Math.min(fail.size(), 20))) {
            System.out.println("soak: FAIL " + f);
        }
        System.out.println(fail.isEmpty() ? "soak: PASS" : "soak: FAIL (" + fail.size() + " problem(s))");
        return fail.isEmpty() ? 0 : 1;
    }

    /**
     * The refusal trickle in the audit files: each connection ended before the next began, so
     * their records come in sequence order. lnm closes a socket a moment before it queues the
     * record, so two neighbours may swap; anything further back means the files are out of
     * order. Every refusal that got an answer must have its record.
     */
    private List<String> refusalOrder(List<String> audit) {
        List<String> fail = new ArrayList<>();
        java.util.BitSet found = new java.util.BitSet();
        java.util.regex.Pattern tag = java.util.regex.Pattern.compile("^s(\\d+)\\.(.*)$");
        int highest = -1;
        int swaps = 0;
        for (int i = 0; i < audit.size(); i++) {
            String sni = ChildLnmAudit.field(audit.get(i), "sni");
            java.util.regex.Matcher m = sni == null ? null : tag.matcher(sni);
            if (m == null || !m.matches() || !java.util.Arrays.asList(REFUSAL_NAMES).contains(m.group(2))) {
                continue;
            }
            int n = Integer.parseInt(m.group(1));
            int ordinal = n / 5 * 4 + Math.max(0, n % 5 - 1); // among the tagged kinds
            if (found.get(n)) {
                fail.add("refusal " + n + " recorded twice (record " + i + ")");
            }
            found.set(n);
            if (ordinal < highest - 1) {
                fail.add("refusal " + n + " recorded after a later one (record " + i + "): out of order");
            } else if (ordinal < highest) {
                swaps++;
            }
            highest = Math.max(highest, ordinal);
        }
        java.util.BitSet missing = (java.util.BitSet) refusalAnswered.clone();
        missing.andNot(found);
        if (!missing.isEmpty()) {
            fail.add(missing.cardinality() + " answered refusals have no record, first " + missing.nextSetBit(0));
        }
        System.out.printf("soak: refusal trickle: %d made, %d answered, %d found in order in the audit files (%d neighbour swaps)%n",
                refusalsMade, refusalAnswered.cardinality(), found.cardinality(), swaps);
        if (refusalAnswered.cardinality() < 10) {
            fail.add("only " + refusalAnswered.cardinality() + " refusals answered: the order check had nothing to check");
        }
        return fail;
    }

    /** Least-squares slope of RSS over time. */
    private static double slopeKbPerMinute(List<long[]> s) {
        if (s.size() < 2) {
            return 0;
        }
        double mx = 0;
        double my = 0;
        for (long[] p : s) {
            mx += p[0];
            my += p[1];
        }
        mx /= s.size();
        my /= s.size();
        double num = 0;
        double den = 0;
        for (long[] p : s) {
            num += (p[0] - mx) * (p[1] - my);
            den += (p[0] - mx) * (p[0] - mx);
        }
        return den == 0 ? 0 : num / den * 60;
    }

    /** Field extraction without the JUnit-side helpers. */
    static final class ChildLnmAudit {
        static String field(String json, String name) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(name)
                    + "\":(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}]*)").matcher(json);
            if (!m.find()) {
                return null;
            }
            return m.group(2) != null ? m.group(2) : (m.group(1).equals("null") ? null : m.group(1));
        }
    }
}
