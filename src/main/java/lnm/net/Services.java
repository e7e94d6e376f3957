package lnm.net;

import java.net.InetAddress;
import java.util.function.Consumer;

import lnm.audit.AuditLog;
import lnm.audit.AuditRecord;
import lnm.config.Config;
import lnm.dns.Resolver;
import lnm.upstream.AddressHealth;
import lnm.upstream.ParentSet;

/**
 * What every connection shares: the current config snapshot, the audit log, the resolver, the
 * health of parents and upstream addresses, and the connection counts that limits are
 * enforced against. Thread-safe.
 */
public final class Services {
    private volatile Config config;
    final AuditLog audit;
    final Resolver resolver;
    /** The parents and their health: the order a parent destination is tried in. */
    final ParentSet parents;
    /** Upstream addresses that could not be reached lately: tried after the others. */
    final AddressHealth addrs;
    private final Consumer<AuditRecord> onClose;
    private final SourceCounter connections = new SourceCounter();

    /**
     * @param onClose sees every finished record (metrics); runs on a loop thread, must be quick
     */
    public Services(Config config, AuditLog audit, Resolver resolver, ParentSet parents, AddressHealth addrs,
            Consumer<AuditRecord> onClose) {
        this.config = config;
        this.audit = audit;
        this.resolver = resolver;
        this.parents = parents;
        this.addrs = addrs;
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
        return connections.total();
    }

    /**
     * Counts a new connection from {@code source} against the limits.
     *
     * @return null if admitted (then {@link #release} must follow), else which limit refused it
     */
    String admit(InetAddress source, Config c) {
        return switch (connections.acquire(source, c.maxConnections(), c.perSourceConnections())) {
            case ADMITTED -> null;
            case TOTAL_FULL -> "maxConnections";
            case SOURCE_FULL -> "perSourceConnections";
        };
    }

    void release(InetAddress source) {
        connections.release(source);
    }

    void finished(AuditRecord r) {
        audit.write(r);
        onClose.accept(r);
    }
}
