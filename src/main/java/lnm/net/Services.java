package lnm.net;

import java.net.InetAddress;
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
    private final SourceCounter connections = new SourceCounter();
    /** Bytes held before a decision by all connections ({@code limits.headBytes}). */
    final HeadBudget heads;

    /**
     * @param onClose sees every finished record (metrics); runs on a loop thread, must be quick
     */
    public Services(Config config, AuditLog audit, Resolver resolver, Consumer<AuditRecord> onClose) {
        this.config = config;
        this.audit = audit;
        this.resolver = resolver;
        this.onClose = onClose;
        this.heads = new HeadBudget(config.headBytes());
    }

    public Config config() {
        return config;
    }

    /** New connections use {@code c}; live ones keep the snapshot they started with. */
    public void setConfig(Config c) {
        this.config = c;
        heads.setLimit(c.headBytes());
    }

    /** Bytes held before a decision now, by all connections. */
    public long headBytesHeld() {
        return heads.held();
    }

    /** The budget for those bytes ({@code limits.headBytes}, resolved). */
    public long headBytesLimit() {
        return heads.limit();
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
