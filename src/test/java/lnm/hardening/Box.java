package lnm.hardening;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import lnm.audit.AuditRecord;
import lnm.cli.Appliance;
import lnm.dns.Resolver;
import lnm.floor.EventLoop;
import lnm.testing.Lnm;
import lnm.testing.TestConfig;

/**
 * An lnm appliance in this JVM for a hardening test, started by the one harness ({@link Lnm}):
 * config written as an operator would, every listener on loopback port 0, the rate limit off
 * unless the config sets it, optionally a test DNS ({@link Resolver.Lookup}), and a tally of
 * finished connections by audit reason taken from the same hook the metrics use.
 *
 * <p>{@link #assertAuditComplete} is the audit-completeness check every test ends with: one
 * record per connection the test made, each with a reason, nothing dropped, nothing live.
 */
final class Box implements AutoCloseable {
    final Path dir;
    final Appliance app;
    private final Lnm lnm;
    private final Map<String, LongAdder> byReason = new ConcurrentHashMap<>();
    private final AtomicLong finished = new AtomicLong();

    private Box(Path dir, String config, String allowlist, Resolver.Lookup lookup) throws Exception {
        this.lnm = Lnm.start(dir, config, allowlist, lookup, TestConfig.NO_RATE_LIMIT, this::count);
        this.dir = lnm.dir;
        this.app = lnm.app;
    }

    static Box start(Path dir, String config, String allowlist) throws Exception {
        return new Box(dir, config, allowlist, null);
    }

    static Box start(Path dir, String config, String allowlist, Resolver.Lookup lookup) throws Exception {
        return new Box(dir, config, allowlist, lookup);
    }

    private void count(AuditRecord r) {
        byReason.computeIfAbsent(String.valueOf(r.reason()), k -> new LongAdder()).increment();
        finished.incrementAndGet();
    }

    InetSocketAddress address(String listener) {
        return lnm.address(listener);
    }

    int port(String listener) {
        return lnm.port(listener);
    }

    /** Connections finished so far, as counted by the close hook. */
    long finished() {
        return finished.get();
    }

    long count(String reason) {
        LongAdder a = byReason.get(reason);
        return a == null ? 0 : a.sum();
    }

    Map<String, Long> reasons() {
        Map<String, Long> m = new TreeMap<>();
        byReason.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    int active() {
        return app.server().activeConnections();
    }

    int live() {
        int n = 0;
        for (EventLoop l : app.server().loops()) {
            n += l.liveCount();
        }
        return n;
    }

    /** Relay buffers lent out by all loops, read on each loop's own thread. */
    long buffersInUse() {
        long n = 0;
        for (EventLoop l : app.server().loops()) {
            java.util.concurrent.CompletableFuture<Long> f = new java.util.concurrent.CompletableFuture<>();
            l.execute(() -> f.complete(l.buffersInUse()));
            n += f.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
        }
        return n;
    }

    /** The audit lines written so far. */
    List<String> audit() {
        return lnm.audit();
    }

    /** Waits until {@code n} connections have finished and their records are on disk. */
    List<String> awaitAudit(long n, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> finished.get() >= n && app.audit().written() >= n);
        return audit();
    }

    /**
     * One audit record for each of the {@code connections} the test made, and no more; each
     * has a reason and a decision; none was dropped; nothing is left open or counted against
     * the limits. Returns the records.
     */
    List<String> assertAuditComplete(long connections, Duration within) {
        List<String> lines = awaitAudit(connections, within);
        await().atMost(Duration.ofSeconds(5)).until(() -> active() == 0 && live() == 0);
        sleep(300); // a late, unexpected record would show up here
        lines = audit();
        assertEquals(0, app.audit().dropped(), "audit records dropped");
        assertEquals(connections, finished.get(), "connections finished vs made; by reason " + reasons());
        assertEquals(connections, lines.size(), "audit records vs connections made; by reason " + reasons());
        for (String l : lines) {
            assertNotNull(Lnm.field(l, "reason"), "record without a reason: " + l);
            assertNotNull(Lnm.field(l, "decision"), "record without a decision: " + l);
        }
        return lines;
    }

    static String field(String json, String name) {
        return Lnm.field(json, name);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        lnm.close();
    }
}
