package lnm.fleet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The side ports of a top fleet box under attack, on the jlink image started by its own
 * launcher with its default flags ({@code make image}; {@code make load-test} builds it). The
 * top has one enrolled box, {@code b1}; its admin port is bound to 0.0.0.0.
 *
 * <ol>
 *   <li>Forged reports: five addresses (127.0.0.2-6) send 2,000 pulls each, concurrently, a new
 *       connection for each, paced under {@code limits.perSourceRate} so that the fleet port's
 *       answer, not the rate limit, is what they meet. Names {@code x0}..{@code x9999} have no
 *       folder; each report has 14 text fields of 2,000 'ж' (two bytes each in UTF-8, so the
 *       body stays under the 64 KiB bound: CJK would make it a 413). Three kinds in turn: the
 *       bare report as an attacker without a box key sends it (400: no signature line), the
 *       pull form with a zero signature (403) and one signed with a random key (403).
 *       Meanwhile 127.0.0.7 keeps pulling as b1 (200 with its bundle) and asking
 *       {@code /healthz}, each under a second.</li>
 *   <li>Held connections: 200 from each of the five addresses to each port, one byte each, held
 *       {@link #HOLD_SECONDS}; every second 127.0.0.7 asks {@code /healthz} and pulls as b1, each
 *       under a second. When the server closed the held connections is reported.</li>
 *   <li>Unenrolled pulls (b1's name signed with another key, a name without folder): 403 and no
 *       bundle byte.</li>
 *   <li>Replay: the image again, as box b1, pulling from a fake top that answers every pull with
 *       the real top's answer to an earlier pull: refused for its nonce, nothing in force.</li>
 * </ol>
 * Throughout, the top's heap in use (from {@code /metrics}) stays under {@link #HEAP_BOUND}.
 * Prints what it saw and keeps it in {@code target/side-attack.txt}.
 */
@Tag("load")
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class SidePortsAttackLoadTest {
    static final int SOURCES = 5;
    static final int FORGED_PER_SOURCE = 2_000;
    /** New connections a second per attacking source: under the default limits.perSourceRate (200). */
    static final int PACE = 150;
    static final int FIELD_CHARS = 2_000;
    static final int HELD_PER_SOURCE = 200;
    static final int HOLD_SECONDS = 60;
    static final long SLOW_NANOS = 1_000_000_000L;
    static final long HEAP_BOUND = 100L << 20;
    static final String SECRET = "secret-b1.example";
    static final Pattern FLEET_UP = Pattern.compile("fleet endpoint \\(top\\) on [0-9.]+:\\d+");
    static final Pattern LISTENER_UP = Pattern.compile("listener https \\(\\w+\\) on [0-9.]+:\\d+");
    static final String[] KINDS = {"bare report (no signature line)", "zero signature", "signed with a random key"};
    static final int[] EXPECTED = {400, 403, 403};

    @TempDir
    Path dir;

    final List<String> problems = new CopyOnWriteArrayList<>();
    final StringBuilder report = new StringBuilder();
    final AtomicLong maxHeap = new AtomicLong();
    final AtomicLong heapLimit = new AtomicLong(-1);
    final AtomicInteger metricReads = new AtomicInteger();
    final AtomicInteger metricFailures = new AtomicInteger();
    InetAddress probe;
    int admin;
    int fleet;
    PrivateKey boxKey;
    String topLine;

    /** Probes of one kind: how many, the slowest, how many took a second or more, what went wrong. */
    static final class Tally {
        final String name;
        int count;
        long maxNanos;
        int slow;
        final List<String> failures = new ArrayList<>();

        Tally(String name) {
            this.name = name;
        }

        synchronized void add(ProbeHttp.Reply r, String problem) {
            count++;
            maxNanos = Math.max(maxNanos, r.nanos());
            if (r.nanos() >= SLOW_NANOS) {
                slow++;
            }
            if (problem != null && failures.size() < 10) {
                failures.add(problem);
            }
        }

        synchronized String line() {
            return name + ": " + count + " answered, slowest " + maxNanos / 1_000_000 + " ms, " + slow + " took 1 s or more"
                    + (failures.isEmpty() ? "" : ", failures " + failures);
        }

        synchronized boolean good() {
            return count > 0 && slow == 0 && failures.isEmpty();
        }
    }

    @Test
    void forgedReportsAndHeldConnectionsLeaveTheSidePortsServingAndTheUnenrolledRefused() throws Exception {
        assertTrue(Files.isExecutable(ImageLnm.LAUNCHER), ImageLnm.LAUNCHER + " missing: make image (make load-test builds it)");
        probe = InetAddress.getByName("127.0.0.7");
        Path topDir = Files.createDirectories(dir.resolve("top"));
        Path boxDir = Files.createDirectories(dir.resolve("box"));
        topLine = KeyLines.writePair(topDir.resolve("fleet.key"));
        Path b1 = Files.createDirectories(topDir.resolve("fleet/b1"));
        Files.writeString(b1.resolve("allowlist.properties"), SECRET + " = direct\nsecond-b1.example = direct\n");
        Files.writeString(b1.resolve(Enrolment.FILE), KeyLines.writePair(boxDir.resolve("box.key")) + "\n");
        boxKey = KeyLines.readPrivate(boxDir.resolve("box.key"));
        admin = ImageLnm.freePort();
        fleet = ImageLnm.freePort();
        Files.writeString(topDir.resolve("allowlist.properties"), "top.example = direct\n");
        Files.writeString(topDir.resolve("lnm.properties"), """
                level = 4
                name = top
                listen.https = 127.0.0.1:0
                admin.listen = 0.0.0.0:%d
                fleet.listen = 0.0.0.0:%d
                fleet.dir = fleet
                fleet.key = fleet.key
                fleet.state = state
                allowlist = allowlist.properties
                audit.file = audit.jsonl
                shutdown.drainSeconds = 1
                """.formatted(admin, fleet));

        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicBoolean stop = new AtomicBoolean();
        ImageLnm top = ImageLnm.start(topDir, FLEET_UP);
        try {
            report.append("top: the image with its own flags, admin 0.0.0.0:").append(admin).append(", fleet 0.0.0.0:").append(fleet)
                    .append(", pid ").append(top.process.pid()).append('\n');
            Future<?> watching = pool.submit(() -> watchHeap(stop));
            String capturedNonce = Pull.freshNonce();
            ProbeHttp.Reply first = ProbeHttp.post(probe, fleet, FleetHttp.PATH, Pull.encode(FleetTrustTest.report("b1", 0), capturedNonce, boxKey), 10_000);
            String bad = answerProblem(first, capturedNonce);
            assertTrue(bad == null, "the first pull of b1: " + bad + "\n" + top.output());
            byte[] captured = first.body();

            forgedReports(pool);
            heldConnections(pool);
            unenrolled();
            replay(boxDir, captured, capturedNonce);

            String m = ProbeHttp.get(InetAddress.getLoopbackAddress(), admin, "/metrics", 10_000).text();
            long heapAfter = ImageLnm.gauge(m, "lnm_jvm_heap_used_bytes");
            stop.set(true);
            watching.get(30, TimeUnit.SECONDS);
            report.append("heap: limit ").append(heapLimit.get()).append(", most used ").append(maxHeap.get()).append(" (")
                    .append(maxHeap.get() >> 20).append(" MiB) over ").append(metricReads.get()).append(" reads of /metrics (")
                    .append(metricFailures.get()).append(" failed), ").append(heapAfter).append(" after\n");
            report.append("side-port refusals: ").append(sideRefusals(m)).append('\n');
            if (maxHeap.get() >= HEAP_BOUND || heapAfter >= HEAP_BOUND || heapAfter < 0) {
                problems.add("heap: most used " + maxHeap.get() + ", after " + heapAfter + ", bound " + HEAP_BOUND);
            }
            String out = top.output();
            if (!top.alive() || out.contains("OutOfMemoryError")) {
                problems.add("the top is not up or ran out of memory: " + out);
            }
            report.append("top alive at the end: ").append(top.alive()).append('\n');
        } finally {
            stop.set(true);
            pool.shutdownNow();
            top.close();
            System.out.print(report);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "side-attack.txt"), report + (problems.isEmpty() ? "" : "problems:\n  "
                    + String.join("\n  ", problems) + "\n"));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + report);
    }

    /** Phase 1: 10,000 forged reports from five addresses while b1 pulls and /healthz is asked. */
    private void forgedReports(ExecutorService pool) throws Exception {
        Map<String, Map<String, Integer>> outcomes = new ConcurrentSkipListMap<>();
        List<String> odd = new CopyOnWriteArrayList<>();
        Tally pulls = new Tally("b1's pulls from 127.0.0.7 meanwhile");
        Tally health = new Tally("/healthz from 127.0.0.7 meanwhile");
        AtomicBoolean done = new AtomicBoolean();
        Future<?> probing = pool.submit(() -> probe(pulls, health, done, 200));
        long t0 = System.nanoTime();
        List<Future<?>> forgers = new ArrayList<>();
        for (int s = 0; s < SOURCES; s++) {
            int source = s;
            forgers.add(pool.submit(() -> forgeFrom(source, outcomes, odd)));
        }
        for (Future<?> f : forgers) {
            f.get(300, TimeUnit.SECONDS);
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        done.set(true);
        probing.get(60, TimeUnit.SECONDS);

        report.append("forged reports: ").append(SOURCES).append(" sources x ").append(FORGED_PER_SOURCE).append(", ")
                .append(PACE).append("/s per source at most, ").append(forgedBody("x9999", 2).length)
                .append(" bytes each (14 fields of ").append(FIELD_CHARS).append(" 'ж'), done in ").append(seconds).append(" s\n");
        int refusedOtherwise = 0;
        for (int k = 0; k < KINDS.length; k++) {
            Map<String, Integer> by = outcomes.getOrDefault(KINDS[k], Map.of());
            report.append("  ").append(KINDS[k]).append(" (expected ").append(EXPECTED[k]).append("): ").append(by).append('\n');
            for (Map.Entry<String, Integer> e : by.entrySet()) {
                if (e.getKey().equals("429") || e.getKey().equals("503")) {
                    refusedOtherwise += e.getValue();
                } else if (!e.getKey().equals(String.valueOf(EXPECTED[k]))) {
                    problems.add("forged " + KINDS[k] + ": " + e.getValue() + " answered " + e.getKey());
                }
            }
        }
        report.append("  refused by the side server's limits (429/503): ").append(refusedOtherwise).append('\n');
        if (!odd.isEmpty()) {
            report.append("  unexpected answers (first few): ").append(odd).append('\n');
        }
        report.append("  ").append(pulls.line()).append("\n  ").append(health.line()).append('\n');
        for (Tally t : List.of(pulls, health)) {
            if (!t.good()) {
                problems.add("during the forged reports, " + t.line());
            }
        }
        fleetRows();
    }

    private Void forgeFrom(int source, Map<String, Map<String, Integer>> outcomes, List<String> odd) throws Exception {
        InetAddress from = InetAddress.getByName("127.0.0." + (2 + source));
        long t0 = System.nanoTime();
        for (int i = 0; i < FORGED_PER_SOURCE; i++) {
            long wait = t0 + i * 1_000_000_000L / PACE - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            int n = source * FORGED_PER_SOURCE + i;
            int kind = n % KINDS.length;
            ProbeHttp.Reply r = ProbeHttp.post(from, fleet, FleetHttp.PATH, forgedBody("x" + n, kind), 30_000);
            String key = r.status() < 0 ? "no answer" : String.valueOf(r.status());
            outcomes.computeIfAbsent(KINDS[kind], k -> new ConcurrentSkipListMap<>()).merge(key, 1, Integer::sum);
            String body = r.text();
            if (body.contains(Answer.MAGIC) || body.contains(Bundle.MAGIC) || body.contains(SECRET)) {
                problems.add("forged x" + n + " got bundle bytes: " + r);
            }
            if (r.status() != EXPECTED[kind] && odd.size() < 10) {
                odd.add("x" + n + " from " + from.getHostAddress() + ": " + r);
            }
        }
        return null;
    }

    /** A forged pull for {@code name}, a box without folder: 14 text fields of non-Latin-1 text. */
    static byte[] forgedBody(String name, int kind) throws Exception {
        String big = "ж".repeat(FIELD_CHARS);
        List<Report.NameCount> names = Collections.nCopies(Report.MAX_NAMES, new Report.NameCount(big, 1));
        Report r = new Report(name, 2, big, 1L << 40, big, 1, 1, 1, names, big, 1, big, 1000);
        byte[] b = switch (kind) {
            case 0 -> r.encode().getBytes(StandardCharsets.UTF_8);
            case 1 -> (r.encode() + "nonce = " + Pull.freshNonce() + "\nsignature = " + Base64.getEncoder().encodeToString(new byte[64])
                    + "\n").getBytes(StandardCharsets.UTF_8);
            default -> Pull.encode(r, Pull.freshNonce(), KeyLines.generate().getPrivate());
        };
        if (b.length > Report.MAX_BYTES) {
            throw new IllegalStateException("a forged pull of " + b.length + " bytes would only meet the size bound");
        }
        return b;
    }

    /** Phase 2: 1,000 connections held on each port while 127.0.0.7 probes once a second. */
    private void heldConnections(ExecutorService pool) throws Exception {
        Tally pulls = new Tally("b1's pulls from 127.0.0.7 during the hold");
        Tally health = new Tally("/healthz from 127.0.0.7 during the hold");
        long start = System.nanoTime();
        try (HeldConnections held = new HeldConnections(start)) {
            AtomicBoolean done = new AtomicBoolean();
            Future<?> watcher = pool.submit(() -> {
                for (int i = 0; i < 10 * (HOLD_SECONDS + 120) && !done.get(); i++) {
                    held.poll();
                    Thread.sleep(100);
                }
                return null;
            });
            Future<?> probing = pool.submit(() -> probe(pulls, health, done, 1000));
            List<Future<?>> openers = new ArrayList<>();
            for (int s = 0; s < SOURCES; s++) {
                InetAddress from = InetAddress.getByName("127.0.0." + (2 + s));
                openers.add(pool.submit(() -> {
                    held.open(from, fleet, "fleet", HELD_PER_SOURCE, PACE, (byte) 'P');
                    return null;
                }));
                openers.add(pool.submit(() -> {
                    held.open(from, admin, "admin", HELD_PER_SOURCE, PACE, (byte) 'G');
                    return null;
                }));
            }
            for (Future<?> f : openers) {
                f.get(120, TimeUnit.SECONDS);
            }
            double opened = (System.nanoTime() - start) / 1e9;
            Thread.sleep(HOLD_SECONDS * 1000L);
            done.set(true);
            watcher.get(30, TimeUnit.SECONDS);
            probing.get(60, TimeUnit.SECONDS);
            held.poll();
            report.append(String.format("held connections: %d from each of %d sources to each port, one byte each, all open after %.1f s, "
                    + "held %d s more%n", HELD_PER_SOURCE, SOURCES, opened, HOLD_SECONDS));
            for (String port : List.of("fleet", "admin")) {
                HeldConnections.Counts c = held.counts(port);
                report.append(String.format("  %s: %d opened (%d failed to open), %d closed by the server (%d after sending bytes), "
                        + "closes between %.1f and %.1f s of the hold; by seconds after their own connect: %s%n", port, c.opened(),
                        c.failed(), c.closed(), c.answered(), c.firstCloseSeconds(), c.lastCloseSeconds(), c.closedAfterSeconds()));
                if (c.opened() + c.failed() != SOURCES * HELD_PER_SOURCE) {
                    problems.add("held connections to " + port + ": " + c);
                }
            }
        }
        report.append("  ").append(pulls.line()).append("\n  ").append(health.line()).append('\n');
        for (Tally t : List.of(pulls, health)) {
            if (!t.good() || t.count < HOLD_SECONDS / 2) {
                problems.add("during the hold, " + t.line());
            }
        }
    }

    /** 127.0.0.7 pulls as b1 and asks /healthz, once every {@code everyMillis}, until {@code done}. */
    private Void probe(Tally pulls, Tally health, AtomicBoolean done, long everyMillis) throws InterruptedException {
        for (int i = 0; i < 100_000 && !done.get(); i++) {
            long next = System.nanoTime() + everyMillis * 1_000_000L;
            String nonce = Pull.freshNonce();
            ProbeHttp.Reply p = ProbeHttp.post(probe, fleet, FleetHttp.PATH, Pull.encode(FleetTrustTest.report("b1", 0), nonce, boxKey), 10_000);
            pulls.add(p, answerProblem(p, nonce));
            ProbeHttp.Reply h = ProbeHttp.get(probe, admin, "/healthz", 10_000);
            health.add(h, h.status() == 200 && h.text().startsWith("ok") ? null : "/healthz: " + h);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
        }
        return null;
    }

    /** Why {@code r} is not the top's answer to b1's pull with {@code nonce}, carrying b1's bundle; null if it is. */
    private String answerProblem(ProbeHttp.Reply r, String nonce) {
        if (r.status() != 200) {
            return "pull: " + r;
        }
        try {
            Answer a = Answer.parse(r.body());
            String why = a.refusal(List.of(topLine), "b1", nonce);
            if (why != null) {
                return "pull: " + why;
            }
            Bundle b = Bundle.parse(a.bundle());
            return new String(b.allowlist(), StandardCharsets.UTF_8).contains(SECRET) ? null : "pull: a bundle without b1's allowlist";
        } catch (IllegalArgumentException e) {
            return "pull: " + e.getMessage();
        }
    }

    /** Phase 3: pulls the top must not answer get 403 and no bundle byte. */
    private void unenrolled() throws Exception {
        report.append("unenrolled pulls:\n");
        refused("b1 signed with a key not in box.pub", Pull.encode(FleetTrustTest.report("b1", 0), Pull.freshNonce(),
                KeyLines.generate().getPrivate()), "does not verify with any key in box.pub");
        refused("a name without folder, signed with b1's key", Pull.encode(FleetTrustTest.report("ghost", 0), Pull.freshNonce(), boxKey),
                "no folder in fleet.dir");
        fleetRows();
    }

    private void refused(String what, byte[] body, String why) {
        ProbeHttp.Reply r = ProbeHttp.post(probe, fleet, FleetHttp.PATH, body, 10_000);
        String text = r.text();
        report.append("  ").append(what).append(": ").append(r).append('\n');
        if (r.status() != 403 || !text.contains(why)) {
            problems.add(what + ": expected 403 '" + why + "', got " + r);
        }
        if (text.contains(Answer.MAGIC) || text.contains(Bundle.MAGIC) || text.contains(SECRET) || text.contains("second-b1")) {
            problems.add(what + ": the refusal carries bundle bytes: " + text);
        }
    }

    /** The top's /fleet rows (a row has a level; a denied name inside one does not): b1 and the top, none for a forged name. */
    private void fleetRows() {
        ProbeHttp.Reply f = ProbeHttp.get(probe, admin, "/fleet", 10_000);
        String json = f.text();
        int from = json.indexOf("\"boxes\":[");
        int to = json.indexOf("],\"unenrolled\":");
        if (f.status() != 200 || from < 0 || to < from) {
            problems.add("/fleet: " + f);
            return;
        }
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\"name\":\"([^\"]*)\",\"level\":").matcher(json.substring(from, to));
        while (m.find()) {
            rows.add(m.group(1));
        }
        Matcher total = Pattern.compile("\"unenrolled\":\\{\"total\":(\\d+)").matcher(json);
        report.append("  /fleet: rows ").append(rows).append(", unenrolled total ").append(total.find() ? total.group(1) : "?")
                .append(", ").append(json.length()).append(" bytes\n");
        if (rows.stream().anyMatch(n -> n.startsWith("x")) || !rows.contains("b1")) {
            problems.add("/fleet rows: " + rows);
        }
    }

    /** Phase 4: the image as box b1, its top a fake that replays the real top's earlier answer. */
    private void replay(Path boxDir, byte[] captured, String capturedNonce) throws Exception {
        AtomicInteger served = new AtomicInteger();
        try (ServerSocket fake = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serve(fake, n -> captured, served), "fake-top");
            t.setDaemon(true);
            t.start();
            int boxAdmin = ImageLnm.freePort();
            Files.writeString(boxDir.resolve("allowlist.properties"), "local.example = direct\n");
            Files.writeString(boxDir.resolve("lnm.properties"), """
                    level = 3
                    name = b1
                    listen.https = 127.0.0.1:0
                    admin.listen = 127.0.0.1:%d
                    fleet.source = 127.0.0.1:%d
                    fleet.trust = %s
                    fleet.boxKey = box.key
                    fleet.interval = 0.2
                    fleet.state = state
                    allowlist = allowlist.properties
                    audit.file = audit.jsonl
                    shutdown.drainSeconds = 1
                    """.formatted(boxAdmin, fake.getLocalPort(), topLine));
            String page = "";
            String metrics = "";
            try (ImageLnm box = ImageLnm.start(boxDir, LISTENER_UP)) {
                for (int i = 0; i < 300 && !page.contains("its nonce differs"); i++) {
                    Thread.sleep(100);
                    page = ProbeHttp.get(InetAddress.getLoopbackAddress(), boxAdmin, "/", 10_000).text();
                }
                metrics = ProbeHttp.get(InetAddress.getLoopbackAddress(), boxAdmin, "/metrics", 10_000).text();
                Matcher refusal = Pattern.compile("id=\"fleet-refusal\">([^<]*)<").matcher(page);
                long generation = ImageLnm.gauge(metrics, "lnm_fleet_generation");
                long refusing = ImageLnm.gauge(metrics, "lnm_fleet_refusing");
                long rules = ImageLnm.gauge(metrics, "lnm_allowlist_rules");
                boolean stored = Files.exists(boxDir.resolve("state/bundle"));
                report.append("replay: the top's answer to the pull with nonce ").append(capturedNonce).append(" (")
                        .append(captured.length).append(" bytes) served to every pull of a fresh b1 (the image); ")
                        .append(served.get()).append(" pulls served\n  box status: ")
                        .append(refusal.find() ? refusal.group(1) : "(no refusal on the status page)")
                        .append("\n  lnm_fleet_generation ").append(generation).append(", lnm_fleet_refusing ").append(refusing)
                        .append(", lnm_allowlist_rules ").append(rules).append(" (the local allowlist has 1, b1's bundle 2), ")
                        .append("state/bundle ").append(stored ? "exists" : "absent").append('\n');
                if (!page.contains("its nonce differs") || generation != 0 || refusing != 1 || rules != 1 || stored || served.get() == 0) {
                    problems.add("replay: the box took or did not refuse the replayed answer (see report); log:\n" + box.output());
                }
            }
        }
    }

    /** The fake top: reads each request whole and answers 200 with {@code answer}. */
    private static void serve(ServerSocket server, Function<byte[], byte[]> answer, AtomicInteger served) {
        for (int i = 0; i < 100_000 && !server.isClosed(); i++) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                var in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n") && head.length() < 16 * 1024) {
                    int c = in.read();
                    if (c < 0) {
                        break;
                    }
                    head.append((char) c);
                }
                Matcher m = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
                byte[] body = in.readNBytes(m.find() ? Math.min(Integer.parseInt(m.group(1)), Report.MAX_BYTES) : 0);
                byte[] a = answer.apply(body);
                s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + a.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(a);
                served.incrementAndGet();
            } catch (java.io.IOException e) {
                // the box gave up on this pull or the test is over: next
            }
        }
    }

    /** The top's heap in use, from /metrics on its admin port, four times a second. */
    private Void watchHeap(AtomicBoolean stop) throws InterruptedException {
        InetAddress self = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 10_000 && !stop.get(); i++) {
            ProbeHttp.Reply r = ProbeHttp.get(self, admin, "/metrics", 10_000);
            long used = r.status() == 200 ? ImageLnm.gauge(r.text(), "lnm_jvm_heap_used_bytes") : -1;
            if (used >= 0) {
                metricReads.incrementAndGet();
                maxHeap.accumulateAndGet(used, Math::max);
                heapLimit.set(ImageLnm.gauge(r.text(), "lnm_jvm_heap_max_bytes"));
            } else {
                metricFailures.incrementAndGet();
            }
            Thread.sleep(250);
        }
        return null;
    }

    /** The non-zero {@code lnm_side_refused_total} samples. */
    private static String sideRefusals(String metrics) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^lnm_side_refused_total\\{([^}]*)\\} ([0-9.eE+-]+)$").matcher(metrics);
        while (m.find()) {
            if (Double.parseDouble(m.group(2)) != 0) {
                out.add(m.group(1) + " " + (long) Double.parseDouble(m.group(2)));
            }
        }
        return out.toString();
    }
}
