package lnmbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the raw lines of one `make bench` run (target/bench/raw.tsv, written by run.sh) into the
 * table printed on stdout, target/bench/results.md and the chart target/bench/results.svg.
 *
 * <p>Each raw line is {@code target TAB test TAB rep TAB key=value ...}. Every cell of the table
 * is the median over the repetitions of that test; a run that reported errors is still counted
 * but its cell is marked, so a proxy that drops connections cannot hide behind a fast median.
 *
 * <p>Usage: {@code Report DIR}.
 */
public final class Report {
    private static final Pattern KV = Pattern.compile("([A-Za-z_0-9]+)=(\\S+)");
    private static final List<String> PROXIES = List.of("nginx", "haproxy", "sniproxy", "lnm");
    private static final Map<String, String> COLORS = Map.of(
            "direct", "#9e9e9e", "nginx", "#2e8b57", "haproxy", "#1f6fb2", "sniproxy", "#e08a00", "lnm", "#c2185b");

    /**
     * One column of the table: where its value comes from, and which way is better. {@code perProxy}
     * marks a property of the proxy rather than a rate (memory, system calls): the direct run has
     * none, and it has no spread over rounds.
     */
    record Metric(String header, String shortName, String test, boolean higherBetter, boolean perProxy, String format,
                  Function<Map<String, String>, Double> value) {}

    private static final List<Metric> METRICS = List.of(
            new Metric("bulk 1 conn MB/s", "bulk 1", "bulk1", true, false, "%.0f", kv -> num(kv, "mbps")),
            new Metric("bulk 50 conns MB/s", "bulk 50", "bulk50", true, false, "%.0f", kv -> num(kv, "mbps")),
            new Metric("conn/s", "conn/s", "cps", true, false, "%.0f", kv -> num(kv, "cps")),
            new Metric("setup p99 ms", "setup p99", "cps", false, false, "%.2f", kv -> num(kv, "p99_ms")),
            new Metric("RTT p50 µs", "RTT p50", "rtt", false, false, "%.0f", kv -> num(kv, "p50_us")),
            new Metric("RTT p99 µs", "RTT p99", "rtt", false, false, "%.0f", kv -> num(kv, "p99_us")),
            new Metric("RSS idle MB", "RSS idle", "idle", false, true, "%.1f", kv -> kb(kv, "rss_before_kb")),
            new Metric("RSS 5k MB", "RSS 5k", "idle", false, true, "%.1f", kv -> kb(kv, "rss_after_kb")),
            new Metric("KB/conn", "KB/conn", "idle", false, true, "%.1f", Report::kbPerConn),
            new Metric("syscalls/conn", "syscalls/conn", "syscalls", false, true, "%.1f", Report::syscallsPerConn));

    private final Map<String, String> status = new LinkedHashMap<>();           // target -> ok | failed: ...
    private final Map<String, List<Map<String, String>>> runs = new LinkedHashMap<>(); // target/test -> runs
    private final Map<String, String> meta = new LinkedHashMap<>();

    private Report() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Report r = new Report();
        r.load(dir);
        String md = r.markdown();
        Files.writeString(dir.resolve("results.md"), md, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.svg"), r.svg(), StandardCharsets.UTF_8);
        System.out.println(md);
        System.out.println("written: " + dir.resolve("results.md") + ", " + dir.resolve("results.svg"));
    }

    private void load(Path dir) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("meta.properties"), StandardCharsets.UTF_8)) {
            p.load(in);
        }
        for (String k : List.of("date", "nproc", "cpu", "mem", "kernel", "load_start", "load_end", "nofile", "seconds",
                "warmup", "reps", "idle_conns", "lnm_version", "lnm_jvm_flags", "java", "nginx", "haproxy", "sniproxy",
                "lnm_audit_records", "lnm_gc_events", "elapsed_s")) {
            if (p.getProperty(k) != null) {
                meta.put(k, p.getProperty(k));
            }
        }
        for (String line : Files.readAllLines(dir.resolve("raw.tsv"), StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", 4);
            if (f.length < 4) {
                continue;
            }
            if (f[1].equals("status")) {
                status.put(f[0], f[3]);
                continue;
            }
            Map<String, String> kv = new LinkedHashMap<>();
            Matcher m = KV.matcher(f[3]);
            while (m.find()) {
                kv.put(m.group(1), m.group(2));
            }
            if (f[3].startsWith("failed")) {
                kv.put("failed", "1");
            }
            runs.computeIfAbsent(f[0] + "/" + f[1], x -> new ArrayList<>()).add(kv);
        }
    }

    private static Double num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            return d < 0 ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double kb(Map<String, String> kv, String key) {
        Double v = num(kv, key);
        return v == null || v == 0 ? null : v / 1024.0;
    }

    private static Double kbPerConn(Map<String, String> kv) {
        Double before = num(kv, "rss_before_kb");
        Double after = num(kv, "rss_after_kb");
        Double n = num(kv, "established");
        if (before == null || after == null || n == null || n == 0 || after == 0) {
            return null;
        }
        return (after - before) / n;
    }

    private static Double syscallsPerConn(Map<String, String> kv) {
        Double calls = num(kv, "calls");
        Double conns = num(kv, "conns");
        return calls == null || conns == null || conns == 0 ? null : calls / conns;
    }

    private List<String> targets() {
        List<String> t = new ArrayList<>();
        for (String s : List.of("direct", "nginx", "haproxy", "sniproxy", "lnm")) {
            if (status.containsKey(s)) {
                t.add(s);
            }
        }
        for (String s : status.keySet()) {
            if (!t.contains(s) && !s.equals("parser")) {
                t.add(s);
            }
        }
        return t;
    }

    private boolean ok(String target) {
        return "ok".equals(status.get(target));
    }

    /** The median of the metric over the repetitions, or null when no run produced it. */
    Double value(String target, Metric m) {
        if (m.perProxy() && target.equals("direct")) {
            return null;
        }
        List<Double> vs = new ArrayList<>();
        for (Map<String, String> kv : runs.getOrDefault(target + "/" + m.test(), List.of())) {
            Double v = m.value().apply(kv);
            if (v != null) {
                vs.add(v);
            }
        }
        if (vs.isEmpty()) {
            return null;
        }
        vs.sort(null);
        int n = vs.size();
        return n % 2 == 1 ? vs.get(n / 2) : (vs.get(n / 2 - 1) + vs.get(n / 2)) / 2;
    }

    /** Errors and drops the runs of this test reported, summed. */
    private long errors(String target, String test) {
        long e = 0;
        for (Map<String, String> kv : runs.getOrDefault(target + "/" + test, List.of())) {
            Double v = num(kv, "errors");
            Double d = num(kv, "dropped");
            e += (v == null ? 0 : v.longValue()) + (d == null ? 0 : d.longValue());
            if (kv.containsKey("failed")) {
                e++;
            }
            if (test.equals("idle")) {
                Double est = num(kv, "established");
                Double want = num(kv, "conns");
                if (est != null && want != null && est < want) {
                    e += (long) (want - est);
                }
            }
        }
        return e;
    }

    /** The best value among the proxies (never direct), which the chart normalises to. */
    private Double best(Metric m) {
        Double best = null;
        for (String t : PROXIES) {
            Double v = ok(t) ? value(t, m) : null;
            if (v != null && v > 0 && (best == null || (m.higherBetter() ? v > best : v < best))) {
                best = v;
            }
        }
        return best;
    }

    private String cell(String target, Metric m) {
        if (m.perProxy() && target.equals("direct")) {
            return "–";
        }
        Double v = value(target, m);
        String s = v == null ? "n/a" : String.format(Locale.ROOT, m.format(), v);
        return errors(target, m.test()) > 0 ? s + " ⚠" : s;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# lnm bench results\n\n");
        sb.append("- date: ").append(meta.getOrDefault("date", "?")).append('\n');
        sb.append("- machine: `nproc` = ").append(meta.getOrDefault("nproc", "?")).append(", CPU ")
                .append(meta.getOrDefault("cpu", "?")).append(", ").append(meta.getOrDefault("mem", "?"))
                .append(", kernel ").append(meta.getOrDefault("kernel", "?")).append('\n');
        sb.append("- load average at start / end: ").append(meta.getOrDefault("load_start", "?")).append(" / ")
                .append(meta.getOrDefault("load_end", "?"))
                .append(" (anything else running on the machine shows up in every column)\n");
        try {
            double load = Double.parseDouble(meta.getOrDefault("load_start", "0").split(" ")[0]);
            double cores = Double.parseDouble(meta.getOrDefault("nproc", "1"));
            if (load > cores / 2) {
                sb.append("- **the machine was busy with other work (load ").append(meta.get("load_start").split(" ")[0])
                        .append(" on ").append(meta.get("nproc")).append(" cores): rates and latencies are depressed and noisy; "
                        + "compare within the run, and prefer the CPU-cost table below, which is less sensitive to it**\n");
            }
        } catch (NumberFormatException ignored) {
            // no load figure: nothing to warn about
        }
        sb.append("- each cell: median of ").append(meta.getOrDefault("reps", "?")).append(" runs of ")
                .append(meta.getOrDefault("seconds", "?")).append(" s (first ").append(meta.getOrDefault("warmup", "?"))
                .append(" s not counted), targets interleaved within each round; memory: one run holding ")
                .append(meta.getOrDefault("idle_conns", "?")).append(" idle connections\n");
        sb.append("- peers: nginx ").append(meta.getOrDefault("nginx", "?")).append(", HAProxy ")
                .append(meta.getOrDefault("haproxy", "?")).append(", sniproxy ").append(meta.getOrDefault("sniproxy", "?"))
                .append("; lnm ").append(meta.getOrDefault("lnm_version", "?")).append(" on ")
                .append(meta.getOrDefault("java", "?")).append(" with `").append(meta.getOrDefault("lnm_jvm_flags", "?"))
                .append("`, audit log on");
        if (meta.containsKey("lnm_audit_records")) {
            sb.append(" (").append(meta.get("lnm_audit_records")).append(" records written, ")
                    .append(meta.getOrDefault("lnm_gc_events", "?")).append(" GC pauses logged)");
        }
        sb.append("\n- open files limit: ").append(meta.getOrDefault("nofile", "?"))
                .append("; whole run: ").append(meta.getOrDefault("elapsed_s", "?")).append(" s\n\n");

        sb.append("| proxy |");
        for (Metric m : METRICS) {
            sb.append(' ').append(m.header()).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---:|".repeat(METRICS.size()));
        sb.append('\n');
        boolean anyErrors = false;
        for (String t : targets()) {
            sb.append("| ").append(t.equals("direct") ? "direct (no proxy)" : t).append(" |");
            if (!ok(t)) {
                sb.append(' ').append(status.get(t)).append(" |").append(" |".repeat(METRICS.size() - 1)).append('\n');
                continue;
            }
            for (Metric m : METRICS) {
                String c = cell(t, m);
                anyErrors |= c.endsWith("⚠");
                sb.append(' ').append(c).append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n');
        if (anyErrors) {
            sb.append("⚠ some runs of that test reported failed connections or drops; see target/bench/raw.tsv.\n\n");
        }
        sb.append("""
                Columns: bulk = bytes the client received from the upstream's endless stream, MB = 10^6 bytes; \
                conn/s = connect, send the ClientHello, read its echo from the upstream, close, 32 at a time, setup = \
                connect() to the last echoed byte; RTT = 64-byte ping-pong on 8 connections at once (so it includes \
                queueing behind the other 7); RSS = VmRSS summed over the proxy's processes (nginx master + 2 workers, \
                2 sniproxy processes, the JVM) just before and while holding the idle connections (each had its hello \
                echoed, so the upstream side is connected too); KB/conn = (RSS 5k − RSS idle) / connections held; \
                syscalls/conn = system calls of all the proxy's processes and threads (`strace -c -f`, attached \
                apart from the rates) during a conn/s run, divided by the connections it made. \
                Loopback only, one shared upstream (benchup, C/epoll), load from benchgen (C/epoll, one thread).

                """);
        List<String> fresh = new ArrayList<>();
        for (String t : targets()) {
            for (Map<String, String> kv : runs.getOrDefault(t + "/rss_fresh", List.of())) {
                Double v = kb(kv, "rss_kb");
                if (v != null) {
                    fresh.add(String.format(Locale.ROOT, "%s %.1f MB", t, v));
                }
            }
        }
        for (Map<String, String> kv : runs.getOrDefault("lnm/idle", List.of())) {
            Double held = num(kv, "heap_live_held_kb");
            Double closed = num(kv, "heap_live_closed_kb");
            Double n = num(kv, "established");
            if (held != null && closed != null && n != null && n > 0 && held > 0) {
                sb.append(String.format(Locale.ROOT, "lnm live Java heap (class histogram after a full GC): %.1f MB "
                        + "holding the idle connections, %.1f MB after they closed: %.2f KB of heap per idle connection "
                        + "(RSS grows less because the heap was already touched by the load tests; "
                        + "see target/bench/lnm-histogram-*.txt).%n%n", held / 1024, closed / 1024, (held - closed) / n));
            }
        }
        if (!fresh.isEmpty()) {
            sb.append("RSS right after start, before any load (RSS idle above is after the load tests): ")
                    .append(String.join(", ", fresh)).append(".\n\n");
        }
        sb.append(spreadSection());
        sb.append(cpuSection());
        sb.append(ceiling());
        sb.append(targetsSection());
        sb.append(parserSection());
        sb.append("\n![chart](results.svg)\n");
        return sb.toString();
    }

    private static Double perCpu(Map<String, String> kv, double scale, boolean workPerCpu) {
        Double cpu = num(kv, "proxy_cpu_s");
        Double total = num(kv, "total");
        if (cpu == null || total == null || cpu <= 0 || total <= 0) {
            return null;
        }
        return workPerCpu ? total / scale / cpu : cpu * scale / total;
    }

    private static Double busy(Map<String, String> kv, String key) {
        if (key.equals("gen_cpu_pct")) {
            return num(kv, key);
        }
        Double cpu = num(kv, key);
        Double secs = num(kv, "run_s");
        return cpu == null || secs == null || secs <= 0 ? null : 100 * cpu / secs;
    }

    /**
     * What the proxy's own CPU time bought: less sensitive than the rates to whatever else the
     * machine is doing, and the place to look when a proxy is slower. Also how busy the load
     * generator and the upstream were, to show neither was the limit.
     */
    private String cpuSection() {
        record Col(String header, String test, String format, Function<Map<String, String>, Double> f) {}
        List<Col> cols = List.of(
                new Col("bulk 1 conn MB per proxy CPU-s", "bulk1", "%.0f", kv -> perCpu(kv, 1e6, true)),
                new Col("bulk 50 conns MB per proxy CPU-s", "bulk50", "%.0f", kv -> perCpu(kv, 1e6, true)),
                new Col("proxy CPU µs per connection", "cps", "%.0f", kv -> perCpu(kv, 1e6, false)),
                new Col("proxy CPU µs per round trip", "rtt", "%.1f", kv -> perCpu(kv, 1e6, false)));
        StringBuilder sb = new StringBuilder("CPU: what the proxy's own CPU time bought (utime+stime of its processes "
                + "during each run, medians), and how busy the load generator and the upstream were (highest run, % of one core):\n\n| proxy |");
        for (Col c : cols) {
            sb.append(' ').append(c.header()).append(" |");
        }
        sb.append(" generator busy max % | upstream busy max % |\n|---|").append("---:|".repeat(cols.size() + 2)).append('\n');
        for (String t : targets()) {
            if (!ok(t)) {
                continue;
            }
            sb.append("| ").append(t.equals("direct") ? "direct (no proxy)" : t).append(" |");
            for (Col c : cols) {
                Metric m = new Metric("", "", c.test(), true, false, c.format(), c.f());
                sb.append(' ').append(t.equals("direct") ? "–" : fmt(c.format(), median(t + "/" + c.test(), m))).append(" |");
            }
            for (String key : List.of("gen_cpu_pct", "up_cpu_s")) {
                double max = -1;
                for (String test : List.of("bulk1", "bulk50", "cps", "rtt")) {
                    for (Map<String, String> kv : runs.getOrDefault(t + "/" + test, List.of())) {
                        Double b = busy(kv, key);
                        if (b != null) {
                            max = Math.max(max, b);
                        }
                    }
                }
                sb.append(' ').append(max < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", max)).append(" |");
            }
            sb.append('\n');
        }
        return sb.append('\n').toString();
    }

    /** How far the direct run is above the best proxy: the load generator is not the limit. */
    private String ceiling() {
        if (!ok("direct")) {
            return "";
        }
        StringBuilder sb = new StringBuilder("Ceiling (direct run / best proxy): ");
        List<String> parts = new ArrayList<>();
        for (Metric m : METRICS) {
            if (m.perProxy()) {
                continue;
            }
            Double d = value("direct", m);
            Double b = best(m);
            if (d == null || b == null || d == 0) {
                continue;
            }
            double ratio = m.higherBetter() ? d / b : b / d;
            parts.add(String.format(Locale.ROOT, "%s %.2fx", m.shortName(), ratio));
        }
        return sb.append(String.join(", ", parts)).append(" (above 1 = the machine without a proxy does better).\n\n").toString();
    }

    private String ratio(String a, String b, Metric m, double want, boolean higher) {
        Double va = value(a, m);
        Double vb = value(b, m);
        if (!ok(a) || !ok(b) || va == null || vb == null || vb == 0) {
            return "n/a";
        }
        double r = va / vb;
        boolean pass = higher ? r >= want : r <= want;
        String out = String.format(Locale.ROOT, "%.2fx %s", r, pass ? "PASS" : "FAIL");
        // the same ratio round by round: targets are interleaved, so each round saw the same background
        List<Map<String, String>> ra = runs.getOrDefault(a + "/" + m.test(), List.of());
        List<Map<String, String>> rb = runs.getOrDefault(b + "/" + m.test(), List.of());
        List<String> rounds = new ArrayList<>();
        for (int i = 0; i < Math.min(ra.size(), rb.size()) && ra.size() > 1; i++) {
            Double x = m.value().apply(ra.get(i));
            Double y = m.value().apply(rb.get(i));
            rounds.add(x == null || y == null || y == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", x / y));
        }
        return rounds.isEmpty() ? out : out + " (rounds: " + String.join(", ", rounds) + ")";
    }

    /** Lowest and highest of the runs per cell, to tell a difference from noise. */
    private String spreadSection() {
        StringBuilder sb = new StringBuilder("Spread (lowest–highest of the runs behind each median):\n\n| proxy |");
        List<Metric> ms = new ArrayList<>();
        for (Metric m : METRICS) {
            if (!m.perProxy()) {
                ms.add(m);
                sb.append(' ').append(m.header()).append(" |");
            }
        }
        sb.append("\n|---|").append("---:|".repeat(ms.size())).append('\n');
        for (String t : targets()) {
            if (!ok(t)) {
                continue;
            }
            sb.append("| ").append(t.equals("direct") ? "direct (no proxy)" : t).append(" |");
            for (Metric m : ms) {
                Double lo = null;
                Double hi = null;
                for (Map<String, String> kv : runs.getOrDefault(t + "/" + m.test(), List.of())) {
                    Double v = m.value().apply(kv);
                    if (v != null) {
                        lo = lo == null ? v : Math.min(lo, v);
                        hi = hi == null ? v : Math.max(hi, v);
                    }
                }
                sb.append(' ').append(lo == null ? "n/a" : String.format(Locale.ROOT, m.format() + "–" + m.format(), lo, hi))
                        .append(" |");
            }
            sb.append('\n');
        }
        return sb.append('\n').toString();
    }

    /** lnm against its performance goals, as ratios within this run. */
    private String targetsSection() {
        if (!status.containsKey("lnm")) {
            return "";
        }
        StringBuilder sb = new StringBuilder("## lnm against its goals (ratios within this run)\n\n");
        if (!ok("lnm")) {
            return sb.append("lnm did not run: ").append(status.get("lnm")).append("\n\n").toString();
        }
        Metric bulk50 = METRICS.get(1), cps = METRICS.get(2), setup = METRICS.get(3), rtt99 = METRICS.get(5);
        Metric rssIdle = METRICS.get(6), perConn = METRICS.get(8);
        sb.append("| goal | measured |\n|---|---|\n");
        String bestCps = bestOf(cps, "nginx", "haproxy");
        if (bestCps != null) {
            sb.append("| conn/s ≥ 1.0x best of nginx/HAProxy (").append(bestCps).append(") | ")
                    .append(ratio("lnm", bestCps, cps, 1.0, true)).append(" |\n");
        }
        sb.append("| setup p99 no worse than nginx | ").append(ratio("lnm", "nginx", setup, 1.0, false)).append(" |\n");
        sb.append("| RTT p99 no worse than nginx | ").append(ratio("lnm", "nginx", rtt99, 1.0, false)).append(" |\n");
        String bestBulk = bestOf(bulk50, "nginx", "haproxy");
        if (bestBulk != null) {
            sb.append("| bulk 50 conns ≥ 1.3x best of nginx/HAProxy (").append(bestBulk).append(") | ")
                    .append(ratio("lnm", bestBulk, bulk50, 1.3, true)).append(" |\n");
        }
        sb.append("| memory per idle connection ≤ 0.8x HAProxy | ").append(ratio("lnm", "haproxy", perConn, 0.8, false))
                .append(" |\n");
        Double idle = value("lnm", rssIdle);
        sb.append("| RSS with nothing to do ≤ 32 MB | ")
                .append(idle == null ? "n/a" : String.format(Locale.ROOT, "%.1f MB %s", idle, idle <= 32 ? "PASS" : "FAIL"))
                .append(" |\n\n");
        return sb.toString();
    }

    /** Of the given proxies, the one with the best median on the metric (null if none ran). */
    private String bestOf(Metric m, String... targets) {
        String best = null;
        for (String t : targets) {
            Double v = ok(t) ? value(t, m) : null;
            if (v != null && (best == null || (m.higherBetter() ? v > value(best, m) : v < value(best, m)))) {
                best = t;
            }
        }
        return best;
    }

    private String parserSection() {
        List<String> cases = new ArrayList<>();
        for (String k : runs.keySet()) {
            if (k.startsWith("parser/")) {
                cases.add(k.substring("parser/".length()));
            }
        }
        StringBuilder sb = new StringBuilder("## ClientHello parser micro-benchmark\n\n");
        if (cases.isEmpty()) {
            return sb.append(status.getOrDefault("parser", "not run")).append("\n\n").toString();
        }
        sb.append("`lnm.tls.ClientHelloParser.parse` on the benchmark's own JDK ClientHello, one thread, medians of the "
                + "repetitions; allocation from `ThreadMXBean.getThreadAllocatedBytes`.\n\n");
        sb.append("| case | hellos/s (median) | hellos/s (best run) | ns/parse (median) | bytes allocated/parse |\n"
                + "|---|---:|---:|---:|---:|\n");
        for (String c : cases) {
            Metric hps = new Metric("", "", "", true, false, "", kv -> num(kv, "hellos_per_s"));
            Metric ns = new Metric("", "", "", true, false, "", kv -> num(kv, "ns_per_parse"));
            Metric bytes = new Metric("", "", "", true, false, "", kv -> num(kv, "bytes_per_parse"));
            sb.append("| ").append(c).append(" | ")
                    .append(fmt("%.0f", median("parser/" + c, hps))).append(" | ")
                    .append(fmt("%.0f", best("parser/" + c, hps))).append(" | ")
                    .append(fmt("%.0f", median("parser/" + c, ns))).append(" | ")
                    .append(fmt("%.0f", median("parser/" + c, bytes))).append(" |\n");
        }
        return sb.append('\n').toString();
    }

    private Double median(String key, Metric m) {
        List<Double> vs = new ArrayList<>();
        for (Map<String, String> kv : runs.getOrDefault(key, List.of())) {
            Double v = m.value().apply(kv);
            if (v != null) {
                vs.add(v);
            }
        }
        if (vs.isEmpty()) {
            return null;
        }
        vs.sort(null);
        int n = vs.size();
        return n % 2 == 1 ? vs.get(n / 2) : (vs.get(n / 2 - 1) + vs.get(n / 2)) / 2;
    }

    /** The highest value of the runs: for a micro-benchmark on a shared machine, the least disturbed one. */
    private Double best(String key, Metric m) {
        Double best = null;
        for (Map<String, String> kv : runs.getOrDefault(key, List.of())) {
            Double v = m.value().apply(kv);
            if (v != null && (best == null || v > best)) {
                best = v;
            }
        }
        return best;
    }

    private static String fmt(String f, Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, f, v);
    }

    /**
     * Grouped bars, one group per column of the table, one bar per target: each bar is the
     * target's value relative to the best proxy on that column, inverted for lower-is-better
     * columns, so the tallest bar is always the best and 1.0 is the best proxy. The direct run
     * (grey) is the machine's ceiling; its bars are clipped at the top of the chart.
     */
    String svg() {
        List<String> ts = new ArrayList<>();
        for (String t : targets()) {
            if (ok(t)) {
                ts.add(t);
            }
        }
        int w = 1200, h = 590, left = 60, right = 20, top = 120, bottom = 110;
        double max = 1.5;
        int plotW = w - left - right, plotH = h - top - bottom;
        double groupW = (double) plotW / METRICS.size();
        double barW = Math.min(22, (groupW - 16) / Math.max(1, ts.size()));
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n", w, h, w, h));
        s.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h));
        s.append(text(left, 28, 18, "start", "bold", "lnm bench: each target relative to the best proxy per column (taller is better)"));
        s.append(text(left, 50, 12, "start", "normal", esc(meta.getOrDefault("date", "") + "  ·  " + meta.getOrDefault("nproc", "?")
                + " cores " + meta.getOrDefault("cpu", "") + "  ·  medians of " + meta.getOrDefault("reps", "?")
                + " runs  ·  lower-is-better columns inverted (best/value)  ·  grey = direct, no proxy (ceiling)")));
        for (double g = 0; g <= max + 1e-9; g += 0.25) {
            double y = top + plotH - g / max * plotH;
            s.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>\n",
                    left, y, w - right, y, Math.abs(g - 1) < 1e-9 ? "#555" : "#e5e5e5"));
            s.append(text(left - 6, y + 4, 11, "end", "normal", String.format(Locale.ROOT, "%.2f", g)));
        }
        for (int i = 0; i < METRICS.size(); i++) {
            Metric m = METRICS.get(i);
            Double best = best(m);
            double gx = left + i * groupW;
            double x0 = gx + (groupW - barW * ts.size()) / 2;
            for (int j = 0; j < ts.size(); j++) {
                String t = ts.get(j);
                Double v = value(t, m);
                double x = x0 + j * barW;
                if (v == null || best == null || v <= 0) {
                    continue;
                }
                double score = m.higherBetter() ? v / best : best / v;
                boolean clipped = score > max;
                double bh = Math.min(score, max) / max * plotH;
                double y = top + plotH - bh;
                s.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"%s><title>%s %s: %s</title></rect>\n",
                        x + 1, y, barW - 2, bh, COLORS.getOrDefault(t, "#444"),
                        clipped ? " fill-opacity=\"0.6\"" : "", esc(t), esc(m.header()),
                        String.format(Locale.ROOT, m.format(), v)));
                String label = String.format(Locale.ROOT, m.format(), v) + (clipped ? " ↑" : "");
                double lx = x + barW / 2 + 3.5;
                double ly = y - 4;
                s.append(String.format(Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" transform=\"rotate(-90 %.1f %.1f)\" fill=\"#222\">%s</text>\n",
                        lx, ly, lx, ly, esc(label)));
            }
            s.append(text(gx + groupW / 2, top + plotH + 18, 12, "middle", "bold", esc(m.shortName())));
            s.append(text(gx + groupW / 2, top + plotH + 33, 10, "middle", "normal",
                    esc(unit(m) + (m.higherBetter() ? " (higher better)" : " (lower better)"))));
        }
        double lx = left;
        double ly = h - 30;
        for (String t : ts) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\"/>\n",
                    lx, ly - 11, COLORS.getOrDefault(t, "#444")));
            String name = t.equals("direct") ? "direct (no proxy)" : t;
            s.append(text(lx + 20, ly, 13, "start", "normal", esc(name)));
            lx += 40 + name.length() * 8;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String unit(Metric m) {
        String hd = m.header();
        return hd.substring(hd.lastIndexOf(' ') + 1);
    }

    private static String text(double x, double y, int size, String anchor, String weight, String body) {
        return String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" font-weight=\"%s\" fill=\"#222\">%s</text>\n",
                x, y, size, anchor, weight, body);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
