package lnm.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Every {@code lnm.properties} key: its name, default, what it allows, its parser and how
 * {@code lnm check --print} shows it, in one place. Adding a setting means adding a constant
 * here, listing it in {@link #GLOBALS}, and an accessor on {@link Config}.
 *
 * <p>Listener keys are templates: {@code <name>} in {@link #name()} stands for the listener name.
 *
 * @param <T> the parsed type
 */
public final class Key<T> {

    /** Parses a trimmed value; throws {@link IllegalArgumentException} with a short reason. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String value);
    }

    // Parsers and printers that several keys share. Each lambda or method reference is a call
    // site the JVM links on first use (a bootstrap per site), and the constants below are all
    // made when this class initializes, before the listeners open: shared ones keep that short.
    // Declared before the keys, which read them while they initialize.
    private static final Function<Object, String> TEXT = String::valueOf;
    private static final Function<String, String> SAME = Function.identity();
    private static final Function<Long, String> SECONDS = Values::formatSeconds;
    private static final Parser<String> AS_IS = v -> v;
    private static final Parser<String> NON_EMPTY = Key::nonEmpty;
    private static final Parser<Boolean> BOOL = Values::bool;
    private static final Parser<CidrSet> CIDRS = CidrSet::parse;
    private static final Parser<Optional<CidrSet>> CIDRS_OR_SOURCES =
            v -> v.equalsIgnoreCase("sources") ? Optional.empty() : Optional.of(CidrSet.parse(v));
    private static final Function<Optional<CidrSet>, String> CIDRS_OR_SOURCES_TEXT =
            o -> o.map(CidrSet::toString).orElse("sources");
    private static final Function<Optional<InetSocketAddress>, String> BIND_OR_OFF =
            o -> o.map(Values::formatBind).orElse("off");

    /** {@link String#valueOf(Object)} as the printer of any key. */
    @SuppressWarnings("unchecked")
    private static <T> Function<T, String> text() {
        return (Function<T, String>) (Function<?, String>) TEXT;
    }

    /** An integer from {@code min} to {@code max}. */
    private static Parser<Integer> ints(int min, int max) {
        return v -> Values.intRange(v, min, max);
    }

    /** Seconds, decimals allowed, as milliseconds from {@code min} to {@code max}. */
    private static Parser<Long> seconds(long min, long max) {
        return v -> Values.secondsAsMillis(v, min, max);
    }

    /** {@code [address:]port} ({@code address} default {@code defaultAddress}) or off. */
    private static Parser<Optional<InetSocketAddress>> bindOrOff(String defaultAddress) {
        return v -> v.equalsIgnoreCase("off") ? Optional.empty() : Optional.of(Values.bind(v, defaultAddress));
    }

    public static final Key<Integer> LEVEL = new Key<>("level", "4",
            "an integer from 0 to 5 (the Purdue level of this box)",
            ints(0, 5), text());

    public static final Key<InetSocketAddress> LISTEN = new Key<>("listen.<name>", null,
            "[address:]port, address an IP literal (default 0.0.0.0) or an interface name, port 1-65535",
            v -> Values.bindOrInterface(v, "0.0.0.0"), Values::formatBind);
    public static final Key<Mode> LISTEN_MODE = new Key<>("listen.<name>.mode", "tls",
            Mode.choices(), Mode::parse, Mode::toString);
    public static final Key<HostPort> LISTEN_TARGET = new Key<>("listen.<name>.target", null,
            "host[:port] (used by mode tcp; port defaults to the listener's)",
            v -> HostPort.parse(v, -1), HostPort::toString);
    public static final Key<CidrSet> LISTEN_ACCEPT_PROXY_PROTOCOL = new Key<>("listen.<name>.acceptProxyProtocol", "none",
            "CIDRs of peers that send a PROXY protocol v2 header (such as the lnm below), any, or none",
            v -> v.isEmpty() ? CidrSet.none() : CidrSet.parse(v), text());
    public static final Key<Enforcement> LISTEN_POLICY = new Key<>("listen.<name>.policy", null,
            "enforce or report (default: the box's policy); report relays names the allowlist does not list, audited as would-deny",
            Enforcement::parse, Enforcement::toString);

    public static final Key<List<HostPort>> PARENT = new Key<>("parent", "",
            "host[:port] of the lnm one level up, or several separated by commas (at most " + ParentList.MAX
                    + ", tried as parent.balance says; port defaults to the listener's); empty at the top level",
            ParentList::parse, ParentList::format);
    public static final Key<ParentList.Balance> PARENT_BALANCE = new Key<>("parent.balance", "failover",
            "failover (the first healthy parent in the order written) or round-robin (rotate over the healthy ones)",
            ParentList.Balance::parse, ParentList.Balance::toString);
    public static final Key<ParentList.Check> PARENT_CHECK = new Key<>("parent.check", "tcp",
            "tcp (connect to the parent's port), tcp:PORT, http:PORT[/path] (GET on the parent's admin port, "
                    + "path default /readyz, 200 means up) or off",
            ParentList.Check::parse, ParentList.Check::toString);
    public static final Key<Long> PARENT_CHECK_INTERVAL = new Key<>("parent.checkSeconds", "5",
            "seconds from 0.1 to 3600, decimals allowed (time between active checks of each parent)",
            seconds(100, 3_600_000), SECONDS);
    public static final Key<Long> PARENT_DOWN = new Key<>("parent.downSeconds", "30",
            "seconds from 0.1 to 3600, decimals allowed (how long a refused or timed-out parent is tried last "
                    + "unless an active check brings it back sooner)",
            seconds(100, 3_600_000), SECONDS);
    public static final Key<Boolean> PARENT_PROXY_PROTOCOL = new Key<>("parent.proxyProtocol", "none",
            "v2 or none", Key::proxyProtocol, b -> b ? "v2" : "none");
    public static final Key<String> ALLOWLIST = new Key<>("allowlist", "allowlist.properties",
            "a file path, relative to this file's folder", NON_EMPTY, SAME);
    public static final Key<Enforcement> POLICY = new Key<>("policy", "enforce",
            "enforce (refuse names the allowlist does not list) or report (relay them as an empty rule would, "
                    + "audited as would-deny: for learning what a plant needs; not denying by default)",
            Enforcement::parse, Enforcement::toString);
    public static final Key<CidrSet> SOURCES = new Key<>("sources", "any",
            "comma-separated CIDRs or addresses (10.3.0.0/16, fd00::/8, 10.2.0.7), or any",
            CIDRS, text());
    public static final Key<String> AUDIT_FILE = new Key<>("audit.file", "audit.jsonl",
            "a file path relative to this file's folder, or - for stdout", NON_EMPTY, SAME);
    public static final Key<Long> AUDIT_MAX_BYTES = new Key<>("audit.maxBytes", "100MiB",
            "a size from 1KiB to 1TiB, such as 104857600, 512KiB, 100MiB or 10MB",
            v -> Values.size(v, 1L << 10, 1L << 40), Values::formatSize);
    public static final Key<Integer> AUDIT_KEEP = new Key<>("audit.keep", "5",
            "an integer from 0 to 1000 (rotated files to keep)",
            ints(0, 1000), text());
    public static final Key<Optional<InetSocketAddress>> ADMIN_LISTEN = new Key<>("admin.listen", "127.0.0.1:9090",
            "[address:]port (address an IP literal, default 127.0.0.1), or off",
            bindOrOff("127.0.0.1"), BIND_OR_OFF);
    public static final Key<Optional<CidrSet>> ADMIN_SOURCES = new Key<>("admin.sources", "sources",
            "comma-separated CIDRs or addresses that may use the admin endpoint, any, none, or sources (the same as "
                    + "'sources'); loopback clients are always admitted",
            CIDRS_OR_SOURCES, CIDRS_OR_SOURCES_TEXT);
    public static final Key<Set<String>> ADMIN_HOSTS = new Key<>("admin.hosts", "",
            "comma-separated host names the admin endpoint answers to besides IP addresses and localhost "
                    + "(the Host header; any other name is refused, against DNS rebinding)",
            Key::hostNames, l -> String.join(", ", l));
    public static final Key<Long> HELLO_TIMEOUT = new Key<>("timeouts.helloSeconds", "10",
            "seconds from 0.001 to 300, decimals allowed (0.5)",
            seconds(1, 300_000), SECONDS);
    public static final Key<Long> CONNECT_TIMEOUT = new Key<>("timeouts.connectSeconds", "10",
            "seconds from 0.001 to 300, decimals allowed (0.5)",
            seconds(1, 300_000), SECONDS);
    public static final Key<Long> IDLE_TIMEOUT = new Key<>("timeouts.idleSeconds", "600",
            "seconds from 0.001 to 604800 (7 days), decimals allowed",
            seconds(1, 604_800_000), SECONDS);
    public static final Key<Integer> HELLO_MAX_BYTES = new Key<>("limits.helloMaxBytes", "65536",
            "a size from 1024 to 1048576 bytes (1KiB to 1MiB)",
            v -> (int) Values.size(v, 1024, 1048576), text());
    public static final Key<Integer> MAX_CONNECTIONS = new Key<>("limits.maxConnections", "20000",
            "an integer from 1 to 1000000",
            ints(1, 1_000_000), text());
    public static final Key<Integer> PER_SOURCE_CONNECTIONS = new Key<>("limits.perSourceConnections", "1000",
            "an integer from 1 to 1000000",
            ints(1, 1_000_000), text());
    public static final Key<Long> HEAD_BYTES = new Key<>("limits.headBytes", "auto",
            "a size from 16KiB to 1TiB (bytes all connections together may hold before their decision: hellos, "
                    + "HTTP request heads, PROXY headers), or auto (a quarter of the Java heap)",
            v -> v.equalsIgnoreCase("auto") ? 0L : Values.size(v, 16L << 10, 1L << 40),
            n -> n == 0 ? "auto" : Values.formatSize(n));
    public static final Key<Integer> PER_SOURCE_RATE = new Key<>("limits.perSourceRate", "200",
            "an integer from 1 to 1000000 (new connections per second per source, bursts of twice that), or off",
            v -> v.equalsIgnoreCase("off") ? 0 : Values.intRange(v, 1, 1_000_000),
            n -> n == 0 ? "off" : String.valueOf(n));
    public static final Key<Integer> IPV6_PREFIX_LENGTH = new Key<>("limits.ipv6PrefixLength", "64",
            "an integer from 1 to 128 (the IPv6 prefix whose addresses count as one source for the per-source limits "
                    + "and rates; IPv4 addresses count one by one)",
            ints(1, 128), text());
    public static final Key<Boolean> TLS_ECH = new Key<>("tls.ech", "allow",
            "allow or deny (whether a ClientHello with encrypted_client_hello may pass; the decision is on its outer name)",
            v -> Values.either(v, "allow", "deny"), b -> b ? "allow" : "deny");
    public static final Key<Integer> LOOP_THREADS = new Key<>("loop.threads", "auto",
            "an integer from 1 to 64, or auto (one per processor)",
            v -> v.equalsIgnoreCase("auto")
                    ? Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors()))
                    : Values.intRange(v, 1, 64),
            text());
    public static final Key<Integer> DNS_CACHE_SECONDS = new Key<>("dns.cacheSeconds", "60",
            "an integer from 0 to 86400 (0 disables the cache)",
            ints(0, 86_400), text());

    // ---- built-in DNS server for the level below (read by lnm.dns.DnsServer) ----
    static final int DNS_MAX_ANSWERS = 64;
    static final int DNS_MAX_UPSTREAMS = 8;
    public static final Key<Optional<InetSocketAddress>> DNS_LISTEN = new Key<>("dns.listen", "off",
            "[address:]port for the built-in DNS server, UDP and TCP (address an IP literal, default 0.0.0.0: "
                    + "every local IPv4 address, or an interface name: its addresses, followed as they change), or off",
            v -> v.equalsIgnoreCase("off") ? Optional.empty() : Optional.of(Values.bindOrInterface(v, "0.0.0.0")),
            BIND_OR_OFF);
    public static final Key<DnsAnswer> DNS_ANSWER = new Key<>("dns.answer", "",
            "comma-separated IP addresses and interface names (at most " + DNS_MAX_ANSWERS + "; an interface gives its "
                    + "current addresses) that allowlisted names resolve to; "
                    + "empty: this box's address on the interface the query arrived on",
            DnsValues::dnsAnswers, DnsValues::formatDnsAnswers);
    public static final Key<Integer> DNS_TTL = new Key<>("dns.ttl", "60",
            "an integer from 0 to 86400 (seconds that DNS answers may be cached)",
            ints(0, 86_400), text());
    public static final Key<List<InetSocketAddress>> DNS_UPSTREAM = new Key<>("dns.upstream", "",
            "comma-separated IP[:port] of DNS servers (at most " + DNS_MAX_UPSTREAMS + ", port default 53, "
                    + "IPv6 as [address]:port) that names not on the allowlist are forwarded to; empty: answer REFUSED",
            DnsValues::dnsUpstreams, DnsValues::formatDnsUpstreams);
    public static final Key<Optional<CidrSet>> DNS_SOURCES = new Key<>("dns.sources", "sources",
            "comma-separated CIDRs or addresses that may query the DNS server, any, none, or sources (the same as 'sources')",
            CIDRS_OR_SOURCES, CIDRS_OR_SOURCES_TEXT);
    public static final Key<Boolean> DNS_AUDIT = new Key<>("dns.audit", "false",
            "true or false (whether every DNS query gets an audit line)",
            BOOL, text());
    public static final Key<Integer> DNS_RATE_LIMIT = new Key<>("dns.rateLimit", "50",
            "an integer from 0 to 100000 (DNS queries per second per client, bursts of twice that; 0 turns the limit off)",
            ints(0, 100_000), text());
    public static final Key<Long> DNS_UPSTREAM_TIMEOUT = new Key<>("dns.upstreamTimeoutSeconds", "2",
            "seconds from 0.1 to 30, decimals allowed (then a forwarded query is answered SERVFAIL)",
            seconds(100, 30_000), SECONDS);
    public static final Key<ForwardZones> DNS_FORWARD_ZONES = new Key<>("dns.forwardZones", "",
            "comma-separated DNS zones (at most " + ForwardZones.MAX_ZONES + ", such as plant.local) whose names, and "
                    + "the names below them, are forwarded to dns.upstream; names off the allowlist and outside them get "
                    + "REFUSED; empty: nothing is forwarded",
            ForwardZones::parse, ForwardZones::toString);

    // ---- direct destinations and shutdown ----
    public static final Key<CidrSet> DIRECT_ALLOW_SPECIAL = new Key<>("direct.allowSpecialAddresses", "none",
            "none, any, or comma-separated CIDRs: the special-purpose addresses a direct destination may resolve to "
                    + "despite the guard (loopback, link-local such as 169.254.169.254, multicast, unspecified, "
                    + "100.64.0.0/10, 168.63.129.16, fc00::/7, this box's own addresses); RFC 1918 ranges are always allowed",
            CIDRS, text());
    /** Read as {@link #DIRECT_ALLOW_SPECIAL} ({@code true} = any), with a warning; see {@link Renamed}. */
    public static final Key<Boolean> DIRECT_ALLOW_PRIVATE = new Key<>("direct.allowPrivate", "false",
            "true or false (replaced by direct.allowSpecialAddresses)",
            BOOL, text());
    // ---- egress through a corporate HTTP proxy (top level only) ----
    public static final Key<List<HostPort>> EGRESS_PROXY = new Key<>("egress.proxy", "",
            "host:port of the HTTP proxy that direct destinations go out through (CONNECT name:port), or several "
                    + "separated by commas (at most " + EgressProxies.MAX + ", the first that is up; the others take over "
                    + "when it is down); empty: direct destinations are connected to directly. Top level only (no parent)",
            EgressProxies::parse, EgressProxies::format);
    public static final Key<ProxyCredentials> EGRESS_PROXY_CREDENTIALS = new Key<>("egress.proxy.credentials", "",
            "a file (relative to this file's folder) holding one line user:password for the proxy's Basic "
                    + "authentication, readable by the user lnm runs as and nobody else (chmod 600), or empty for none",
            ProxyCredentials::named, ProxyCredentials::path);
    public static final Key<EgressBypass> EGRESS_PROXY_BYPASS = new Key<>("egress.proxy.bypass", "",
            "comma-separated names (exact, or *.suffix for the names below it), addresses and CIDRs of destinations "
                    + "that go out directly, not through egress.proxy (CIDRs match destinations written as addresses)",
            EgressBypass::parse, EgressBypass::toString);
    public static final Key<Long> DRAIN = new Key<>("shutdown.drainSeconds", "30",
            "seconds from 0 to 3600, decimals allowed",
            seconds(0, 3_600_000), SECONDS);

    // ---- HTTP listeners ----
    public static final Key<List<Integer>> CONNECT_PORTS = new Key<>("connect.ports", "443, 8883",
            "comma-separated ports 1-65535 that CONNECT may name (http listeners)",
            Key::ports, Key::formatPorts);
    public static final Key<List<Integer>> HTTP_PORTS = new Key<>("http.ports", "80",
            "comma-separated ports 1-65535 that plain HTTP requests may go to (http listeners)",
            Key::ports, Key::formatPorts);
    public static final Key<Boolean> HTTP_CONNECT_REQUIRE_MATCHING_SNI = new Key<>("http.connect.requireMatchingSni", "true",
            "true or false (whether a CONNECT tunnel must start with a TLS ClientHello whose SNI is the CONNECT host)",
            BOOL, text());

    // ---- Fleet: configuration pulled from the top box, Ed25519-signed (logic in lnm.fleet) ----
    public static final Key<String> NAME = new Key<>("name", "",
            "a box name: lowercase letters, digits, '.', '-' and '_', at most 63 (empty: this host's name); "
                    + "the box's folder in fleet.dir at the top",
            BoxName::parse, SAME);
    public static final Key<Optional<InetSocketAddress>> FLEET_LISTEN = new Key<>("fleet.listen", "off",
            "[address:]port (address an IP literal, default 0.0.0.0) where boxes below pull their bundles "
                    + "and send reports, or off",
            bindOrOff("0.0.0.0"), BIND_OR_OFF);
    public static final Key<Optional<CidrSet>> FLEET_SOURCES = new Key<>("fleet.sources", "sources",
            "comma-separated CIDRs or addresses of the boxes below that may pull from fleet.listen, any, none, or "
                    + "sources (the same as 'sources')",
            CIDRS_OR_SOURCES, CIDRS_OR_SOURCES_TEXT);
    public static final Key<String> FLEET_DIR = new Key<>("fleet.dir", "",
            "a folder (relative to this file's folder) with one folder per box name, or empty (not the top box)",
            AS_IS, SAME);
    public static final Key<String> FLEET_KEY = new Key<>("fleet.key", "",
            "the Ed25519 private key file that signs bundles (lnm fleet keygen FILE), relative to this file's folder, or empty",
            AS_IS, SAME);
    public static final Key<String> FLEET_SOURCE = new Key<>("fleet.source", "",
            "parent (the parent host at port " + FleetValues.DEFAULT_PORT + "), host[:port] (port default "
                    + FleetValues.DEFAULT_PORT + ") of the box above that serves fleet.listen, or empty (no pulls)",
            FleetValues::source, SAME);
    public static final Key<List<String>> FLEET_TRUST = new Key<>("fleet.trust", "",
            "comma-separated public key lines (ed25519:..., as lnm fleet keygen prints) whose signatures are accepted",
            FleetValues::trust, l -> String.join(", ", l));
    public static final Key<String> FLEET_BOX_KEY = new Key<>("fleet.boxKey", "",
            "this box's own Ed25519 private key file that signs its pulls (lnm fleet keygen FILE; its FILE.pub line goes "
                    + "into fleet.dir/<name>/box.pub at the top), relative to this file's folder, or empty",
            AS_IS, SAME);
    public static final Key<Long> FLEET_INTERVAL = new Key<>("fleet.interval", "30",
            "seconds from 0.1 to 86400, decimals allowed (time between pulls)",
            seconds(100, 86_400_000), SECONDS);
    public static final Key<String> FLEET_STATE = new Key<>("fleet.state", "/var/lib/lnm/fleet",
            "a folder writable by lnm (relative to this file's folder): the bundle in force, or at the top the generations",
            NON_EMPTY, SAME);

    /** The non-listener keys, in the order {@code lnm check --print} shows them (listeners go after level). */
    public static final List<Key<?>> GLOBALS = List.of(LEVEL, PARENT, PARENT_PROXY_PROTOCOL,
            PARENT_BALANCE, PARENT_CHECK, PARENT_CHECK_INTERVAL, PARENT_DOWN, ALLOWLIST, POLICY, SOURCES,
            AUDIT_FILE, AUDIT_MAX_BYTES, AUDIT_KEEP, ADMIN_LISTEN, ADMIN_SOURCES, ADMIN_HOSTS, HELLO_TIMEOUT, CONNECT_TIMEOUT, IDLE_TIMEOUT,
            HELLO_MAX_BYTES, MAX_CONNECTIONS, PER_SOURCE_CONNECTIONS, HEAD_BYTES, PER_SOURCE_RATE, IPV6_PREFIX_LENGTH, TLS_ECH, LOOP_THREADS, DNS_CACHE_SECONDS,
            DNS_LISTEN, DNS_ANSWER, DNS_TTL, DNS_UPSTREAM, DNS_SOURCES, DNS_AUDIT, DNS_RATE_LIMIT, DNS_UPSTREAM_TIMEOUT,
            DNS_FORWARD_ZONES,
            DIRECT_ALLOW_SPECIAL, EGRESS_PROXY, EGRESS_PROXY_CREDENTIALS, EGRESS_PROXY_BYPASS, DRAIN,
            CONNECT_PORTS, HTTP_PORTS, HTTP_CONNECT_REQUIRE_MATCHING_SNI,
            NAME, FLEET_LISTEN, FLEET_SOURCES, FLEET_DIR, FLEET_KEY, FLEET_SOURCE, FLEET_TRUST, FLEET_BOX_KEY, FLEET_INTERVAL, FLEET_STATE);

    /** Listener keys by suffix after {@code listen.<name>} ("" for the address). */
    public static final Map<String, Key<?>> LISTENER_KEYS;

    private static final Map<String, Key<?>> BY_NAME = new LinkedHashMap<>();

    static {
        Map<String, Key<?>> l = new LinkedHashMap<>();
        l.put("", LISTEN);
        l.put(".mode", LISTEN_MODE);
        l.put(".target", LISTEN_TARGET);
        l.put(".acceptProxyProtocol", LISTEN_ACCEPT_PROXY_PROTOCOL);
        l.put(".policy", LISTEN_POLICY);
        LISTENER_KEYS = java.util.Collections.unmodifiableMap(l);
        for (Key<?> k : GLOBALS) {
            BY_NAME.put(k.name, k);
        }
    }

    private final String name;
    private final String defaultText;
    private final String allowed;
    private final Parser<T> parser;
    private final Function<T, String> printer;

    private Key(String name, String defaultText, String allowed, Parser<T> parser, Function<T, String> printer) {
        this.name = name;
        this.defaultText = defaultText;
        this.allowed = allowed;
        this.parser = parser;
        this.printer = printer;
    }

    /** The non-listener key with this exact name, or null. */
    public static Key<?> global(String name) {
        return BY_NAME.get(name);
    }

    /** The key as written in the file; listener keys contain {@code <name>}. */
    public String name() {
        return name;
    }

    /** The default as it would be written in the file, or null if the key has none (must be set). */
    public String defaultText() {
        return defaultText;
    }

    /** What values are allowed, for error messages and documentation. */
    public String allowed() {
        return allowed;
    }

    /** The key name with the listener name filled in. */
    public String name(String listener) {
        return name.replace("<name>", listener);
    }

    /**
     * Parses a raw value (surrounding blanks ignored).
     *
     * @param keyName the key as written, for the message
     * @throws IllegalArgumentException whose message names the key, the value and what is allowed
     */
    public T parse(String keyName, String raw) {
        String v = raw.trim();
        try {
            return parser.parse(v);
        } catch (IllegalArgumentException | ArithmeticException e) {
            String why = e.getMessage() == null ? "" : ": " + e.getMessage();
            String what = v.isEmpty() ? "missing value for '" + keyName + "'" : "bad value '" + v + "' for '" + keyName + "'" + why;
            throw new IllegalArgumentException(what + "; expected " + allowed, e);
        }
    }

    /** The parsed default; only for keys that have one. */
    public T defaultValue() {
        if (defaultText == null) {
            throw new IllegalStateException(name + " has no default");
        }
        return parser.parse(defaultText);
    }

    /** The value as {@code lnm check --print} shows it (parses back to the same value). */
    @SuppressWarnings("unchecked")
    public String format(Object value) {
        return printer.apply((T) value);
    }

    @Override
    public String toString() {
        return name;
    }

    private static boolean proxyProtocol(String v) {
        switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "v2": return true;
            case "none": return false;
            default: throw new IllegalArgumentException("unknown PROXY protocol version");
        }
    }

    /** A non-empty comma-separated list of distinct ports, kept in the order written. */
    private static List<Integer> ports(String v) {
        if (v.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        java.util.LinkedHashSet<Integer> out = new java.util.LinkedHashSet<>();
        for (String p : v.split(",", -1)) {
            int port = HostPort.parsePort(p.trim());
            if (!out.add(port)) {
                throw new IllegalArgumentException("port " + port + " is listed twice");
            }
        }
        return List.copyOf(out);
    }

    /** Comma-separated host names (no IP literals), normalized, in the order written; empty for none. */
    private static Set<String> hostNames(String v) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        if (!v.isEmpty()) {
            for (String n : v.split(",", -1)) {
                out.add(Names.hostName(n.trim()));
            }
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    private static String formatPorts(List<Integer> ports) {
        return ports.stream().map(text()).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String nonEmpty(String v) {
        if (v.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        return v;
    }
}
