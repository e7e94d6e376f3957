package lnm.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, validated snapshot of {@code lnm.properties} and its allowlist.
 *
 * <p>Reload builds a new snapshot with {@link #load} and swaps one reference; a snapshot is
 * never changed, so code holding one sees a consistent config for the whole connection.
 * Relative paths resolve against the folder of {@code lnm.properties}. Key names, defaults and
 * allowed values live in {@link Key}.
 */
public final class Config {
    private final Path file;
    private final Path allowlistFile;
    private final Path auditFile;
    private final Map<Key<?>, Object> values;
    private final Set<Key<?>> explicit;
    private final List<ListenerSpec> listeners;
    private final Set<String> explicitListenerKeys;
    private final Allowlist allowlist;
    // The two files as the loader saw them, until loadedFrom() first asks for their fingerprint:
    // hashing loads the JDK's security providers (some 20 ms at start), which the first caller,
    // the config watcher, needs only once the listeners are open.
    private SourceSnapshot configSeen;
    private SourceSnapshot allowlistSeen;
    private SourceDigest loadedFrom;

    Config(Path file, Path allowlistFile, Path auditFile, Map<Key<?>, Object> values, Set<Key<?>> explicit,
           List<ListenerSpec> listeners, Set<String> explicitListenerKeys, Allowlist allowlist, SourceSnapshot configSeen, SourceSnapshot allowlistSeen) {
        this.file = file;
        this.allowlistFile = allowlistFile;
        this.auditFile = auditFile;
        this.values = Collections.unmodifiableMap(new HashMap<>(values)); // PARENT may be null
        this.explicit = Set.copyOf(explicit);
        this.listeners = List.copyOf(listeners);
        this.explicitListenerKeys = Set.copyOf(explicitListenerKeys);
        this.allowlist = allowlist;
        this.configSeen = configSeen;
        this.allowlistSeen = allowlistSeen;
    }

    /**
     * Reads and validates {@code lnmProperties} and the allowlist it names. Never throws: IO
     * errors and every invalid line become {@link Problem}s, all of them, sorted by file and line.
     * A box that pulls from a fleet runs its last good bundle over the file: the fleet's
     * {@code BundleStore.load} reads it that way.
     */
    public static LoadResult load(Path lnmProperties) {
        return load(lnmProperties, null);
    }

    /** The same with {@code layer} lying over the file (null for none); what a fleet box checks a new bundle with. */
    public static LoadResult load(Path lnmProperties, ConfigLayer layer) {
        try {
            return ConfigLoader.load(lnmProperties, layer);
        } catch (RuntimeException e) {
            // A bug here must not take down a running appliance on reload.
            return new LoadResult(null, List.of(new Problem(lnmProperties, 0, "internal error while loading: " + e)));
        }
    }

    /** The value of a non-listener key (its default if unset). */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("not a global key: " + key);
        }
        return (T) values.get(key);
    }

    /** Whether the key was set in the file (rather than defaulted). */
    public boolean isSet(Key<?> key) {
        return explicit.contains(key);
    }

    public Path file() {
        return file;
    }

    public Path allowlistFile() {
        return allowlistFile;
    }

    /** The fingerprint of the two files as they were when this snapshot was read from them. */
    public synchronized SourceDigest loadedFrom() {
        if (loadedFrom == null) {
            loadedFrom = new SourceDigest(configSeen.digest(), allowlistSeen.digest());
            configSeen = null; // the bytes are not needed any more
            allowlistSeen = null;
        }
        return loadedFrom;
    }

    public int level() {
        return get(Key.LEVEL);
    }

    /** The listeners in file order; at least one. */
    public List<ListenerSpec> listeners() {
        return listeners;
    }

    /** The listener with this name, if any. */
    public Optional<ListenerSpec> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** The HTTP proxies {@code direct} destinations go out through ({@code egress.proxy}); empty for none. */
    public List<HostPort> egressProxies() {
        return get(Key.EGRESS_PROXY);
    }

    /** The proxy's Basic credentials as read at load ({@code egress.proxy.credentials}). */
    public ProxyCredentials egressCredentials() {
        return get(Key.EGRESS_PROXY_CREDENTIALS);
    }

    /** The destinations that go out directly despite {@code egress.proxy}. */
    public EgressBypass egressBypass() {
        return get(Key.EGRESS_PROXY_BYPASS);
    }

    /** The first lnm one level up; port -1 if unset (then the listener's port is used). */
    public Optional<HostPort> parent() {
        return parents().stream().findFirst();
    }

    /** Every lnm one level up, in the order written; empty at the top level. */
    public List<HostPort> parents() {
        List<HostPort> l = get(Key.PARENT);
        return l == null ? List.of() : l;
    }

    /** How connections spread over {@link #parents()}. */
    public ParentList.Balance parentBalance() {
        return get(Key.PARENT_BALANCE);
    }

    /** How parents are checked in the background. */
    public ParentList.Check parentCheck() {
        return get(Key.PARENT_CHECK);
    }

    public long parentCheckMillis() {
        return get(Key.PARENT_CHECK_INTERVAL);
    }

    public long parentDownMillis() {
        return get(Key.PARENT_DOWN);
    }

    /** Whether to send a PROXY protocol v2 header to the parent. */
    public boolean parentProxyProtocol() {
        return get(Key.PARENT_PROXY_PROTOCOL);
    }

    /** The box's {@code policy}: what its listeners do with names off the allowlist unless they say otherwise. */
    public Enforcement policy() {
        return get(Key.POLICY);
    }

    /**
     * The listeners that relay names off the allowlist ({@link Enforcement#REPORT}), in file
     * order; a tcp listener has no allowlist and is never one.
     */
    public List<ListenerSpec> reportListeners() {
        return listeners.stream().filter(l -> l.mode() != Mode.TCP && l.policy() == Enforcement.REPORT).toList();
    }

    public Allowlist allowlist() {
        return allowlist;
    }

    /** Clients allowed to connect. */
    public CidrSet sources() {
        return get(Key.SOURCES);
    }

    /** The audit log, resolved against the config folder; {@code Path.of("-")} means stdout. */
    public Path auditFile() {
        return auditFile;
    }

    public long auditMaxBytes() {
        return get(Key.AUDIT_MAX_BYTES);
    }

    public int auditKeep() {
        return get(Key.AUDIT_KEEP);
    }

    /** Where the admin HTTP server listens; empty when {@code admin.listen = off}. */
    public Optional<InetSocketAddress> adminListen() {
        return get(Key.ADMIN_LISTEN);
    }

    public long helloTimeoutMillis() {
        return get(Key.HELLO_TIMEOUT);
    }

    public long connectTimeoutMillis() {
        return get(Key.CONNECT_TIMEOUT);
    }

    public long idleTimeoutMillis() {
        return get(Key.IDLE_TIMEOUT);
    }

    public int maxHelloBytes() {
        return get(Key.HELLO_MAX_BYTES);
    }

    public int maxConnections() {
        return get(Key.MAX_CONNECTIONS);
    }

    public int perSourceConnections() {
        return get(Key.PER_SOURCE_CONNECTIONS);
    }

    /** {@code limits.headBytes}: the budget for bytes held before a decision; 0 for auto (from the heap). */
    public long headBytes() {
        return get(Key.HEAD_BYTES);
    }

    /** {@code limits.perSourceRate}: new connections a second per source; 0 when off. */
    public int perSourceRate() {
        return get(Key.PER_SOURCE_RATE);
    }

    /**
     * {@code limits.ipv6PrefixLength}: the IPv6 prefix whose addresses count as one source
     * (see {@code SourceKey} in the floor package).
     */
    public int ipv6PrefixLength() {
        return get(Key.IPV6_PREFIX_LENGTH);
    }

    /** {@code tls.ech}: whether a hello with encrypted_client_hello may pass. */
    public boolean echAllowed() {
        return get(Key.TLS_ECH);
    }

    public int loopThreads() {
        return get(Key.LOOP_THREADS);
    }

    public int dnsCacheSeconds() {
        return get(Key.DNS_CACHE_SECONDS);
    }

    // ---- built-in DNS server ----

    /** Where the DNS server listens (UDP and TCP); empty when {@code dns.listen = off}. */
    public Optional<InetSocketAddress> dnsListen() {
        return get(Key.DNS_LISTEN);
    }

    /** Fixed addresses for allowlisted names; with no interfaces either, the box's own address on the arrival interface. */
    public List<java.net.InetAddress> dnsAnswer() {
        return get(Key.DNS_ANSWER).addresses();
    }

    /** Interfaces whose current addresses allowlisted names resolve to ({@code dns.answer = eth1}). */
    public List<String> dnsAnswerInterfaces() {
        return get(Key.DNS_ANSWER).interfaces();
    }

    /**
     * Every interface the config names: by listeners, {@code dns.listen} and {@code dns.answer},
     * in that order, each once. The box watches their addresses.
     */
    public java.util.Set<String> namedInterfaces() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        listeners().forEach(l -> l.nic().ifPresent(out::add));
        dnsListen().flatMap(InterfaceName::of).ifPresent(out::add);
        out.addAll(dnsAnswerInterfaces());
        return out;
    }

    public int dnsTtl() {
        return get(Key.DNS_TTL);
    }

    /** DNS servers for names not on the allowlist; empty means such names get REFUSED. */
    public List<InetSocketAddress> dnsUpstream() {
        return get(Key.DNS_UPSTREAM);
    }

    /** Clients that may query the DNS server: {@code dns.sources}, or {@link #sources()} by default. */
    public CidrSet dnsSources() {
        Optional<CidrSet> s = get(Key.DNS_SOURCES);
        return s.orElseGet(this::sources);
    }

    /** Clients that may use a non-loopback admin endpoint: {@code admin.sources}, or {@link #sources()} by default. */
    public CidrSet adminSources() {
        return get(Key.ADMIN_SOURCES).orElseGet(this::sources);
    }

    /** Boxes that may pull from {@code fleet.listen}: {@code fleet.sources}, or {@link #sources()} by default. */
    public CidrSet fleetSources() {
        return get(Key.FLEET_SOURCES).orElseGet(this::sources);
    }

    public boolean dnsAudit() {
        return get(Key.DNS_AUDIT);
    }

    /** Queries per second per client (bursts of twice that); 0 means unlimited. */
    public int dnsRateLimit() {
        return get(Key.DNS_RATE_LIMIT);
    }

    public long dnsUpstreamTimeoutMillis() {
        return get(Key.DNS_UPSTREAM_TIMEOUT);
    }

    /** Zones forwarded to {@link #dnsUpstream()}; empty means nothing is forwarded. */
    public ForwardZones dnsForwardZones() {
        return get(Key.DNS_FORWARD_ZONES);
    }

    // ---- direct destinations and shutdown ----

    /** The special-purpose addresses a direct destination may still resolve to (default none). */
    public CidrSet directAllowSpecial() {
        return get(Key.DIRECT_ALLOW_SPECIAL);
    }

    public long drainMillis() {
        return get(Key.DRAIN);
    }

    // ---- HTTP listeners ----

    /** Ports a CONNECT request may name ({@code connect.ports}). */
    public List<Integer> connectPorts() {
        return get(Key.CONNECT_PORTS);
    }

    /** Ports a plain HTTP request may go to ({@code http.ports}). */
    public List<Integer> httpPorts() {
        return get(Key.HTTP_PORTS);
    }

    /** Whether a CONNECT tunnel must open with a ClientHello naming the CONNECT host. */
    public boolean connectRequireMatchingSni() {
        return get(Key.HTTP_CONNECT_REQUIRE_MATCHING_SNI);
    }

    /**
     * Every setting as {@code key = value}, defaults included and marked {@code (default)};
     * listener keys follow {@code level}. What {@code lnm check --print} prints.
     */
    public List<String> effectiveSettings() {
        List<String> out = new ArrayList<>();
        for (Key<?> k : Key.GLOBALS) {
            out.add(line(k.name(), k.format(values.get(k)), explicit.contains(k)));
            if (k == Key.LEVEL) {
                for (ListenerSpec l : listeners) {
                    out.add(line(Key.LISTEN.name(l.name()), l.bindText(), true));
                    out.add(line(Key.LISTEN_MODE.name(l.name()), l.mode().toString(),
                            explicitListenerKeys.contains(Key.LISTEN_MODE.name(l.name()))));
                    if (l.target() != null) {
                        out.add(line(Key.LISTEN_TARGET.name(l.name()), l.target().toString(), true));
                    }
                    out.add(line(Key.LISTEN_ACCEPT_PROXY_PROTOCOL.name(l.name()), l.acceptProxyProtocol().toString(),
                            explicitListenerKeys.contains(Key.LISTEN_ACCEPT_PROXY_PROTOCOL.name(l.name()))));
                    if (l.mode() != Mode.TCP) {
                        out.add(line(Key.LISTEN_POLICY.name(l.name()), l.policy().toString(),
                                explicitListenerKeys.contains(Key.LISTEN_POLICY.name(l.name()))));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static String line(String key, String value, boolean set) {
        String s = value.isEmpty() ? key + " =" : key + " = " + value;
        return set ? s : s + " (default)";
    }

    @Override
    public String toString() {
        return "Config[" + file + ", " + listeners.size() + " listeners, " + allowlist.size() + " allowlist rules]";
    }
}
