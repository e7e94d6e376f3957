package lnm.net;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import lnm.audit.AuditLog;
import lnm.audit.AuditRecord;
import lnm.config.Config;
import lnm.dns.Resolver;

/**
 * What every connection shares: the current config snapshot, the audit log, the resolver, and
 * the connection counts that limits are enforced against. Thread-safe.
 */
public final class Services {
    private volatile Config config;
    final AuditLog audit;
    final Resolver resolver;
    private final Consumer<AuditRecord> onClose;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();

    /**
     * @param onClose sees every finished record (metrics); runs on a loop thread, must be quick
     */
    public Services(Config config, AuditLog audit, Resolver resolver, Consumer<AuditRecord> onClose) {
        this.config = config;
        this.audit = audit;
        this.resolver = resolver;
        this.onClose = onClose;
    }

    public Config config() {
        return config;
    }

    /** New connections use {@code c}; live ones keep the snapshot they started with. */
    public void setConfig(Config c) {
        this.config = c;
    }

    public int active() {
        return active.get();
    }

    /**
     * Counts a new connection from {@code source} against the limits.
     *
     * @return null if admitted (then {@link #release} must follow), else which limit refused it
     */
    String admit(InetAddress source, Config c) {
        if (active.incrementAndGet() > c.maxConnections()) {
            active.decrementAndGet();
            return "maxConnections";
        }
        int[] count = new int[1];
        perSource.compute(source, (k, n) -> {
            AtomicInteger m = n == null ? new AtomicInteger() : n;
            count[0] = m.incrementAndGet();
            return m;
        });
        if (count[0] > c.perSourceConnections()) {
            release(source);
            return "perSourceConnections";
        }
        return null;
    }

    void release(InetAddress source) {
        active.decrementAndGet();
        perSource.computeIfPresent(source, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    void finished(AuditRecord r) {
        audit.write(r);
        onClose.accept(r);
    }
}
