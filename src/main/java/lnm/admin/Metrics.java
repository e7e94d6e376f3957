package lnm.admin;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import lnm.audit.AuditRecord;
import lnm.audit.Reason;
import lnm.audit.Verdict;
import lnm.config.ListenerSpec;
import lnm.config.Rule;
import lnm.dns.Resolver;
import lnm.floor.ConnectionInfo;
import lnm.net.HeadBytes;
import lnm.side.SideStats;

/**
 * Counters of everything the appliance did, and their Prometheus exposition.
 *
 * <p>Push side: {@link #record} sees each finished connection's audit record on the loop thread
 * that closed it (through {@code Services}' {@code onClose}), so it only bumps lock-free
 * adders. {@link #countingLookup} counts DNS answers on resolver threads, {@link #reloaded}
 * counts reloads. Pull side: gauges (active connections, audit log, memory) are read from an
 * {@link ApplianceView} when {@code /metrics} is asked for.
 *
 * <p>Bytes: a finished connection adds its totals; {@link #sampleLive} (once a second) raises
 * a per-listener high-water mark to finished + live bytes, so long-lived streams show up while
 * they run. Finished totals are read before the live snapshot is taken, which makes every
 * sample a lower bound of the truth: the exposed counter never decreases, never overshoots,
 * and equals the audit records' sum exactly once connections have ended.
 */
public final class Metrics {
    /** Reasons that mean the TLS ClientHello (or the PROXY header before it) never parsed. */
    static final Set<String> HELLO_FAILURES = Reason.helloFailureTexts();

    /** Upstream connect time buckets in seconds: loopback and LAN up to a slow satellite link. */
    static final double[] CONNECT_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /**
     * A connection count's labels. {@code qualifier} completes {@code reason} (an allow's rule
     * pattern or listener name, or null): the two are joined only when the metrics are read.
     */
    record ConnKey(String listener, String decision, String reason, String qualifier) {
        String reasonText() {
            return qualifier == null ? reason : reason + qualifier;
        }
    }

    /** Per-listener counts. */
    static final class ListenerStats {
        final LongAdder allowed = new LongAdder();
        final LongAdder denied = new LongAdder();
        /** Connections relayed in report mode that enforcement would have refused. */
        final LongAdder wouldDeny = new LongAdder();
        final LongAdder upFinished = new LongAdder();
        final LongAdder downFinished = new LongAdder();
        final AtomicLong upHigh = new AtomicLong();
        final AtomicLong downHigh = new AtomicLong();

        long bytesUp() {
            return Math.max(upHigh.get(), upFinished.sum());
        }

        long bytesDown() {
            return Math.max(downHigh.get(), downFinished.sum());
        }
    }

    /** Per-rule counts (decision as audited). */
    static final class RuleStats {
        final LongAdder allowed = new LongAdder();
        final LongAdder denied = new LongAdder();
    }

    private final Map<ConnKey, LongAdder> connections = new ConcurrentHashMap<>();
    private final Map<String, ListenerStats> listeners = new ConcurrentHashMap<>();
    private final Map<String, RuleStats> rules = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> helloFailures = new ConcurrentHashMap<>();
    private final Histogram connectSeconds = new Histogram(CONNECT_BUCKETS);
    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder dnsResolved = new LongAdder();
    private final LongAdder dnsFailed = new LongAdder();
    private final LongAdder reloadsOk = new LongAdder();
    private final LongAdder reloadsFailed = new LongAdder();
    private volatile long lastReloadMillis;
    private volatile boolean lastReloadOk = true;
    private volatile List<String> lastReloadProblems = List.of();
    private final TopNames deniedNames = new TopNames(256);
    private final Devices devices = new Devices();
    /** Names relayed in report mode that enforcement would have refused. */
    private final TopNames wouldDenyNames = new TopNames(256);

    public Metrics() {
        for (String r : HELLO_FAILURES) {
            helloFailures.put(r, new LongAdder());
        }
    }

    // ---- push side --------------------------------------------------------------------------

    /**
     * One finished connection; runs on a loop thread, so only lock-free updates and two short
     * locks (a denied name's, the device's stripe of {@link Devices}).
     */
    public void record(AuditRecord r) {
        String reason = r.hasReason() ? r.reasonPrefix() : "unknown";
        boolean allow = r.decision() == Verdict.ALLOW;
        int n = Math.max(1, r.count()); // a record that counts refusals stands for that many connections
        connections.computeIfAbsent(new ConnKey(r.listener(), r.decision().text(), reason, r.reasonQualifier()), k -> new LongAdder())
                .add(n);
        ListenerStats l = listener(r.listener());
        (allow ? l.allowed : l.denied).add(n);
        l.upFinished.add(r.bytesUp());
        l.downFinished.add(r.bytesDown());
        (allow ? allowed : denied).add(n);
        if (r.rule() != null) {
            RuleStats rs = rules.computeIfAbsent(r.rule(), k -> new RuleStats());
            (allow ? rs.allowed : rs.denied).increment();
        }
        LongAdder hf = r.reasonQualifier() == null ? helloFailures.get(reason) : null; // a hello failure has no qualifier
        if (hf != null) {
            hf.increment();
        }
        if (r.connectMillis() >= 0) {
            connectSeconds.observe(r.connectMillis() / 1000.0);
        }
        long now = System.currentTimeMillis();
        String name = r.sni() != null ? r.sni() : r.host();
        if (!allow && name != null) {
            InetSocketAddress who = r.originAddress() != null ? r.originAddress() : r.clientAddress();
            deniedNames.add(name, r.hasReason() ? r.reason() : "unknown", who, r.listener(), now);
        }
        devices.record(r, now);
        if (r.wouldDeny() != null) {
            l.wouldDeny.add(n);
            if (name != null) {
                InetSocketAddress who = r.originAddress() != null ? r.originAddress() : r.clientAddress();
                wouldDenyNames.add(name, r.wouldDeny(), who, r.listener(), now);
            }
        }
    }

    private ListenerStats listener(String name) {
        return listeners.computeIfAbsent(name, k -> new ListenerStats());
    }

    /** Wraps a resolver's lookup so that each DNS answer (not cache hits) is counted by result. */
    public Resolver.Lookup countingLookup(Resolver.Lookup inner) {
        return host -> {
            InetAddress[] a;
            try {
                a = inner.lookup(host);
            } catch (UnknownHostException | RuntimeException e) {
                dnsFailed.increment();
                throw e;
            }
            (a == null || a.length == 0 ? dnsFailed : dnsResolved).increment();
            return a;
        };
    }

    /** Counts one reload attempt; {@code problems} empty means it applied cleanly. */
    public void reloaded(List<String> problems) {
        (problems.isEmpty() ? reloadsOk : reloadsFailed).increment();
        lastReloadOk = problems.isEmpty();
        lastReloadProblems = List.copyOf(problems);
        lastReloadMillis = System.currentTimeMillis();
    }

    /**
     * Raises the per-listener byte high-water marks to finished + live. Call with finished
     * totals read <em>before</em> the live snapshot was taken (see the class comment).
     */
    void sampleLive(Map<String, long[]> finishedBefore, List<ConnectionInfo> live) {
        Map<String, long[]> total = new HashMap<>();
        finishedBefore.forEach((k, v) -> total.put(k, v.clone()));
        for (ConnectionInfo c : live) {
            long[] t = total.computeIfAbsent(c.listener(), k -> new long[2]);
            t[0] += c.bytesUp();
            t[1] += c.bytesDown();
        }
        total.forEach((name, t) -> {
            ListenerStats l = listener(name);
            l.upHigh.accumulateAndGet(t[0], Math::max);
            l.downHigh.accumulateAndGet(t[1], Math::max);
        });
    }

    /** Finished bytes per listener, {up, down}. */
    Map<String, long[]> finishedBytes() {
        Map<String, long[]> out = new HashMap<>();
        listeners.forEach((k, l) -> out.put(k, new long[] {l.upFinished.sum(), l.downFinished.sum()}));
        return out;
    }

    // ---- read side (status page) -----------------------------------------------------------

    long allowed() {
        return allowed.sum();
    }

    long denied() {
        return denied.sum();
    }

    long bytesUp() {
        long n = 0;
        for (ListenerStats l : listeners.values()) {
            n += l.bytesUp();
        }
        return n;
    }

    long bytesDown() {
        long n = 0;
        for (ListenerStats l : listeners.values()) {
            n += l.bytesDown();
        }
        return n;
    }

    Map<String, ListenerStats> listeners() {
        return new TreeMap<>(listeners);
    }

    Map<String, RuleStats> rules() {
        return new TreeMap<>(rules);
    }

    /** The devices seen: for {@code /devices} and the status page. */
    Devices devices() {
        return devices;
    }

    List<TopNames.Entry> topDenied(int n) {
        return deniedNames.top(n);
    }

    /** The names report mode relayed that enforcement would have refused, most first. */
    List<TopNames.Entry> topWouldDeny(int n) {
        return wouldDenyNames.top(n);
    }

    long reloadsOk() {
        return reloadsOk.sum();
    }

    long reloadsFailed() {
        return reloadsFailed.sum();
    }

    long lastReloadMillis() {
        return lastReloadMillis;
    }

    boolean lastReloadOk() {
        return lastReloadOk;
    }

    List<String> lastReloadProblems() {
        return lastReloadProblems;
    }

    long dnsResolved() {
        return dnsResolved.sum();
    }

    long dnsFailed() {
        return dnsFailed.sum();
    }

    // ---- exposition -------------------------------------------------------------------------

    /** Every metric in Prometheus text format. */
    public String exposition(ApplianceView v) {
        return exposition(v, Map.of());
    }

    /** As {@link #exposition(ApplianceView)}, with what each side port ({@code admin}, {@code fleet}) turned away. */
    public String exposition(ApplianceView v, Map<String, SideStats> sidePorts) {
        PromText p = new PromText();
        long now = System.currentTimeMillis();

        p.family("lnm_build_info", "gauge", "Version and Purdue level of this appliance (always 1).");
        p.sample("lnm_build_info", 1, "version", v.version(), "level", String.valueOf(v.config().level()));
        p.family("lnm_start_time_seconds", "gauge", "When the appliance started, seconds since the epoch.");
        p.sample("lnm_start_time_seconds", v.startedAt() / 1000.0);
        p.family("lnm_uptime_seconds", "gauge", "Seconds since the appliance started.");
        p.sample("lnm_uptime_seconds", Math.max(0, now - v.startedAt()) / 1000.0);
        p.family("lnm_ready", "gauge", "1 when every listener is bound and the appliance is not draining.");
        p.sample("lnm_ready", v.ready() ? 1 : 0);

        p.family("lnm_listener_bound", "gauge", "1 when the configured listener is bound (one named by interface: to at least one address).");
        for (ListenerSpec l : v.config().listeners()) {
            p.sample("lnm_listener_bound", v.listenerAddress(l.name()).isPresent() ? 1 : 0,
                    "listener", l.name(), "mode", l.mode().toString());
        }
        p.family("lnm_allowlist_rules", "gauge", "Rules in the allowlist in force.");
        p.sample("lnm_allowlist_rules", v.config().allowlist().size());

        p.family("lnm_connections_total", "counter",
                "Connections ended, by listener, decision (allow/deny) and audit reason.");
        for (Map.Entry<ConnKey, Long> e : sorted(connections).entrySet()) {
            ConnKey k = e.getKey();
            p.sample("lnm_connections_total", e.getValue(), "listener", k.listener(), "decision", k.decision(),
                    "reason", k.reason());
        }
        p.family("lnm_active_connections", "gauge", "Connections open now.");
        p.sample("lnm_active_connections", v.activeConnections());
        HeadBytes heads = v.headBytes();
        p.family("lnm_head_bytes", "gauge", "Bytes held before a decision (hellos, request heads, PROXY headers) now.");
        p.sample("lnm_head_bytes", heads.held());
        p.family("lnm_head_bytes_limit", "gauge", "The budget for those bytes (limits.headBytes); past it new heads are refused as head_budget.");
        p.sample("lnm_head_bytes_limit", heads.limit());

        p.family("lnm_bytes_total", "counter",
                "Bytes relayed by listener; direction up is client to upstream. Includes live connections, sampled each second.");
        for (ListenerSpec l : v.config().listeners()) {
            listener(l.name()); // every configured listener has its series from the start
        }
        for (Map.Entry<String, ListenerStats> e : new TreeMap<>(listeners).entrySet()) {
            p.sample("lnm_bytes_total", e.getValue().bytesUp(), "listener", e.getKey(), "direction", "up");
            p.sample("lnm_bytes_total", e.getValue().bytesDown(), "listener", e.getKey(), "direction", "down");
        }

        p.family("lnm_would_deny_total", "counter",
                "Connections relayed in report mode (policy = report) that enforcement would have refused, by listener.");
        for (Map.Entry<String, ListenerStats> e : new TreeMap<>(listeners).entrySet()) {
            p.sample("lnm_would_deny_total", e.getValue().wouldDeny.sum(), "listener", e.getKey());
        }

        ParentView.metrics(p, v.parents());
        ParentView.egressMetrics(p, v.egressProxies());

        p.family("lnm_hello_failures_total", "counter",
                "Connections whose TLS ClientHello (or PROXY header) could not be read, by reason.");
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(helloFailures).entrySet()) {
            p.sample("lnm_hello_failures_total", e.getValue().sum(), "reason", e.getKey());
        }

        p.family("lnm_upstream_connect_seconds", "histogram", "Time to establish the upstream TCP connection.");
        connectSeconds.write(p, "lnm_upstream_connect_seconds");

        p.family("lnm_dns_lookups_total", "counter",
                "Host name lookups by result: cache_hit (answered from the cache), resolved, failed.");
        p.sample("lnm_dns_lookups_total", v.dnsCacheHits(), "result", "cache_hit");
        p.sample("lnm_dns_lookups_total", dnsResolved.sum(), "result", "resolved");
        p.sample("lnm_dns_lookups_total", dnsFailed.sum(), "result", "failed");
        p.family("lnm_dns_forward_mismatch_total", "counter",
                "Datagrams dropped by the DNS server's forwarder as not the answer to its query (wrong source, ID or question).");
        p.sample("lnm_dns_forward_mismatch_total", v.dnsForwardMismatches());

        p.family("lnm_config_reloads_total", "counter",
                "Config reloads (SIGHUP or a changed file) by result; a failure keeps the running config.");
        p.sample("lnm_config_reloads_total", reloadsOk.sum(), "result", "success");
        p.sample("lnm_config_reloads_total", reloadsFailed.sum(), "result", "failure");
        p.family("lnm_config_last_reload_successful", "gauge", "1 when the last reload applied (or none was tried).");
        p.sample("lnm_config_last_reload_successful", lastReloadOk ? 1 : 0);
        p.family("lnm_config_last_reload_time_seconds", "gauge", "When the last reload was tried; 0 if never.");
        p.sample("lnm_config_last_reload_time_seconds", lastReloadMillis / 1000.0);

        p.family("lnm_audit_records_written_total", "counter", "Audit records written to the audit log.");
        p.sample("lnm_audit_records_written_total", v.auditWritten());
        p.family("lnm_audit_records_dropped_total", "counter",
                "Audit records dropped because the writer's queue was full.");
        p.sample("lnm_audit_records_dropped_total", v.auditDropped());

        p.family("lnm_devices", "gauge", "Devices (origin, else client address) in the devices table; at most "
                + Devices.CAPACITY + ".");
        p.sample("lnm_devices", devices.size());
        p.family("lnm_device_fingerprint_changes_total", "counter",
                "Connections whose TLS client fingerprint (JA4) differed from their device's previous one.");
        p.sample("lnm_device_fingerprint_changes_total", devices.fingerprintChanges());
        p.family("lnm_devices_evicted_total", "counter", "Devices evicted from the full devices table to make room.");
        p.sample("lnm_devices_evicted_total", devices.evicted());

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        p.family("lnm_jvm_heap_used_bytes", "gauge", "JVM heap in use.");
        p.sample("lnm_jvm_heap_used_bytes", heap.getUsed());
        p.family("lnm_jvm_heap_max_bytes", "gauge", "JVM heap limit (-1 if undefined).");
        p.sample("lnm_jvm_heap_max_bytes", heap.getMax());
        p.family("lnm_jvm_direct_used_bytes", "gauge", "Direct (off-heap) buffer memory in use, mostly relay buffers.");
        p.sample("lnm_jvm_direct_used_bytes", directUsed());
        FleetSection.metrics(p, v, now);
        p.family("lnm_side_refused_total", "counter",
                "Connections and requests the admin and fleet ports turned away: source (outside admin.sources or "
                        + "fleet.sources), rate, full, evicted (closed to make room), timeout, bad_request.");
        for (Map.Entry<String, SideStats> e : new TreeMap<>(sidePorts).entrySet()) {
            long[] counts = e.getValue().counts();
            for (int i = 0; i < counts.length; i++) {
                p.sample("lnm_side_refused_total", counts[i], "port", e.getKey(), "reason", SideStats.REASONS[i]);
            }
        }
        return p.toString();
    }

    static long directUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return 0;
    }

    /** The counts by listener, decision and whole reason text (qualifier joined), in that order. */
    private static Map<ConnKey, Long> sorted(Map<ConnKey, LongAdder> m) {
        Map<ConnKey, Long> out = new TreeMap<>((a, b) -> {
            int c = a.listener().compareTo(b.listener());
            if (c == 0) {
                c = a.decision().compareTo(b.decision());
            }
            return c != 0 ? c : a.reason().compareTo(b.reason());
        });
        m.forEach((k, v) -> out.merge(new ConnKey(k.listener(), k.decision(), k.reasonText(), null), v.sum(), Long::sum));
        return out;
    }

    /** Rules in force plus any that counted but are gone since a reload, in allowlist order. */
    static List<String> rulePatterns(List<Rule> inForce, Set<String> counted) {
        List<String> out = new ArrayList<>();
        for (Rule r : inForce) {
            out.add(r.pattern());
        }
        for (String s : new java.util.TreeSet<>(counted)) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
