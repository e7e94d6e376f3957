package lnm.net;

import java.net.InetAddress;
import java.util.function.Consumer;

import lnm.audit.AuditLog;
import lnm.audit.AuditRecord;
import lnm.config.Config;
import lnm.config.ListenerSpec;
import lnm.dns.Resolver;
import lnm.floor.SourceCounter;
import lnm.floor.SourceKey;
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
    /** The egress proxies and their health: the order a proxied direct destination is tried in. */
    final ParentSet proxies;
    /** Upstream addresses that could not be reached lately: tried after the others. */
    final AddressHealth addrs;
    private final Consumer<AuditRecord> onClose;
    private final SourceCounter connections = new SourceCounter();
    private final RateLimit rateLimit = new RateLimit(System::nanoTime);
    /** What a {@code direct} destination may not reach, with this box's own addresses as last read. */
    private volatile Destinations destinations = Destinations.NONE;
    /** Bytes held before a decision by all connections ({@code limits.headBytes}). */
    final HeadBudget heads;

    /**
     * @param onClose sees every finished record (metrics); runs on a loop thread, must be quick
     */
    public Services(Config config, AuditLog audit, Resolver resolver, ParentSet parents, AddressHealth addrs,
            Consumer<AuditRecord> onClose) {
        this.config = config;
        this.audit = audit;
        this.resolver = resolver;
        this.parents = parents;
        this.proxies = ParentSet.proxies(config, () -> System.nanoTime() / 1_000_000);
        this.addrs = addrs;
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
        proxies.apply(c);
    }

    /** Re-reads this box's interface addresses for the destination guard (at start and on reload). */
    void refreshOwnAddresses() {
        destinations = Destinations.scan();
    }

    /** The destination guard's rules as they are now. */
    Destinations destinations() {
        return destinations;
    }

    /** Each egress proxy's health ({@code egress.proxy}), in the order written; none without a proxy. */
    public java.util.List<lnm.upstream.ParentStatus> proxyStatus() {
        return proxies.status();
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
     * The key {@code address} is counted under by the per-source limits and the rate with
     * {@code c}: its IPv6 prefix ({@code limits.ipv6PrefixLength}), or the IPv4 address itself
     * ({@link SourceKey#of}). A connection keeps the key it was counted under, for {@link #release}.
     */
    static InetAddress key(InetAddress address, Config c) {
        return SourceKey.of(address, c.ipv6PrefixLength());
    }

    /**
     * Counts a new connection from {@code source} on {@code listener} against the limits. A peer
     * trusted to send a PROXY v2 header (a child lnm with the devices below it behind one
     * address) counts against the total only: the per-source limits and the rate limit wait
     * for the origin its header names ({@link #admitOrigin}). Per source means per
     * {@link #key}: all addresses of one IPv6 prefix are one source.
     *
     * @return {@link Admission#ADMITTED} (then {@link #release} with {@link #key} of {@code source}
     *     must follow), else which limit refused it
     */
    Admission admit(ListenerSpec listener, InetAddress source, Config c) {
        if (listener.acceptProxyProtocol().contains(source)) {
            return connections.acquireTotal(c.maxConnections()) ? Admission.ADMITTED : Admission.MAX_CONNECTIONS;
        }
        InetAddress k = key(source, c);
        Admission rated = rate(k, c);
        if (!rated.admitted()) {
            return rated;
        }
        return switch (connections.acquire(k, c.maxConnections(), c.perSourceConnections())) {
            case ADMITTED -> Admission.ADMITTED;
            case TOTAL_FULL -> Admission.MAX_CONNECTIONS;
            case SOURCE_FULL -> Admission.PER_SOURCE_CONNECTIONS;
        };
    }

    /**
     * The origin a trusted PROXY v2 header named, for a connection {@link #admit} counted in
     * the total only: its rate and per-source count.
     *
     * @param originKey the origin's {@link #key}
     * @return {@link Admission#ADMITTED} (then {@link #release} with that key), else which limit refused it
     */
    Admission admitOrigin(InetAddress originKey, Config c) {
        Admission rated = rate(originKey, c);
        if (!rated.admitted()) {
            return rated;
        }
        return connections.acquireSource(originKey, c.perSourceConnections()) ? Admission.ADMITTED : Admission.PER_SOURCE_CONNECTIONS;
    }

    private Admission rate(InetAddress source, Config c) {
        return switch (rateLimit.admit(source, c.perSourceRate())) {
            case PASS -> Admission.ADMITTED;
            case REFUSE -> Admission.RATE_LIMITED;
            case COUNT -> Admission.RATE_COUNTED;
        };
    }

    /**
     * A refusal past the rate limit's per-second threshold: {@code rec} is counted, not written.
     *
     * @param key the source's {@link #key}, as the rate limit saw it
     */
    void countRefusal(InetAddress key, AuditRecord rec) {
        rateLimit.count(key, rec);
    }

    /** Writes the records that count rate-limited refusals whose second is over; {@code all} at shutdown. */
    void writeCounted(boolean all) {
        for (AuditRecord r : rateLimit.due(all)) {
            finished(r);
        }
    }

    /**
     * Forgets a connection {@link #admit} counted.
     *
     * @param key the {@link #key} counted per source (of the peer, or of the origin
     *     {@link #admitOrigin} counted), or null when only the total was counted
     */
    void release(InetAddress key) {
        if (key != null) {
            connections.releaseSource(key);
        }
        connections.releaseTotal();
    }

    void finished(AuditRecord r) {
        audit.write(r);
        onClose.accept(r);
    }
}
