package lnm.config;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@code lnm.properties} (plus its allowlist) into a {@link Config}, or into every
 * problem it has. Keeps going after each problem so one {@code lnm check} shows them all.
 */
final class ConfigLoader {
    private static final Pattern LISTEN_KEY = Pattern.compile("listen\\.([^.]*)(\\..*)?");
    private static final Pattern LISTENER_NAME = Pattern.compile("[a-z0-9_-]+");

    private final Path file;
    private final List<Problem> problems = new ArrayList<>();
    /** Legal but worth a word (see {@link Warnings}); only reported when there are no problems. */
    private final List<Problem> warnings = new ArrayList<>();
    private final Map<Key<?>, Object> values = new HashMap<>();
    private final Map<Key<?>, Integer> lines = new HashMap<>();
    private final Set<Key<?>> explicit = new HashSet<>();
    /** Entries of each listener by suffix ("" = address), in order of first mention. */
    private final Map<String, Map<String, PropertiesReader.Entry>> drafts = new LinkedHashMap<>();
    private final Set<Key<?>> invalid = new HashSet<>();
    /** The line of each listener's address, for problems that name it. */
    // Keyed by the instance (each spec is put and looked up as the same object): a record's
    // hashCode would run its ObjectMethods bootstrap, some 15 method-handle classes spun at start.
    private final Map<ListenerSpec, Integer> listenerLines = new IdentityHashMap<>();
    /** Configuration lying over the file (a fleet bundle), or null. */
    private final ConfigLayer layer;
    /** The entries that came from {@link #layer}'s overrides: their problems name its file. */
    private final Set<PropertiesReader.Entry> fromLayer = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private ConfigLoader(Path file, ConfigLayer layer) {
        this.file = file;
        this.layer = layer;
    }

    static LoadResult load(Path file, ConfigLayer layer) {
        return new ConfigLoader(file, layer).run();
    }

    private void problem(int line, String message) {
        problems.add(new Problem(file, line, message));
    }

    private void problem(PropertiesReader.Entry e, String message) {
        problems.add(new Problem(fromLayer.contains(e) ? layer.overridesFile() : file, e.line(), message));
    }

    private LoadResult run() {
        SourceSnapshot configSeen = SourceSnapshot.take(file); // before the read: a later change differs from it
        PropertiesReader.Result read = PropertiesReader.read(file);
        problems.addAll(read.problems());
        if (read.entries().isEmpty() && !read.problems().isEmpty() && read.problems().get(0).line() == 0) {
            return new LoadResult(null, problems); // unreadable: nothing more to say
        }
        List<PropertiesReader.Entry> entries = withoutDuplicates(read.entries());
        if (layer != null) {
            entries = layer.overlay(entries, problems, fromLayer);
        }
        Set<String> listenerNames = new LinkedHashSet<>();
        for (PropertiesReader.Entry e : entries) {
            Matcher m = LISTEN_KEY.matcher(e.key());
            if (m.matches() && LISTENER_NAME.matcher(m.group(1)).matches()) {
                listenerNames.add(m.group(1));
            }
        }
        for (PropertiesReader.Entry e : entries) {
            entry(e, listenerNames);
        }
        renamed();
        for (Key<?> k : Key.GLOBALS) {
            if (!values.containsKey(k) && !invalid.contains(k)) {
                values.put(k, k.defaultValue());
            }
        }
        problems.addAll(FleetSettings.problems(file, k -> invalid.contains(k) ? null : values.get(k), lines::get));
        List<ListenerSpec> listeners = listeners();
        adminPortFree(listeners);
        dnsPortFree(listeners);
        dnsForwarding();
        Path base = baseFolder();
        egress(base);
        Path allowlistFile = layer != null ? layer.allowlistFile() : resolve(base, Key.ALLOWLIST);
        Path auditFile = "-".equals(values.get(Key.AUDIT_FILE)) ? Path.of("-") : resolve(base, Key.AUDIT_FILE);

        SourceSnapshot allowlistSeen = SourceSnapshot.take(allowlistFile);
        Allowlist allowlist = null;
        List<Problem> allowlistProblems = List.of();
        if (allowlistFile != null) {
            boolean parentConfigured = values.get(Key.PARENT) != null || invalid.contains(Key.PARENT);
            AllowlistReader.Loaded a = layer != null
                    ? AllowlistReader.parse(PropertiesReader.parse(allowlistFile, layer.allowlistText()), allowlistFile, parentConfigured)
                    : AllowlistReader.read(allowlistFile, parentConfigured);
            allowlist = a.allowlist();
            allowlistProblems = a.problems();
        }
        // Main file first, then the allowlist; each by line (stable, so same-line order is kept).
        problems.sort(Comparator.comparingInt(Problem::line));
        List<Problem> all = new ArrayList<>(problems);
        all.addAll(allowlistProblems);
        if (!all.isEmpty()) {
            return new LoadResult(null, all);
        }
        Set<String> explicitListenerKeys = new HashSet<>();
        drafts.forEach((name, keys) -> keys.keySet().forEach(suffix -> explicitListenerKeys.add("listen." + name + suffix)));
        Config config = new Config(file, allowlistFile, auditFile, values, explicit, listeners,
                explicitListenerKeys, allowlist, configSeen, allowlistSeen);
        warnings.addAll(Warnings.check(config, this::lineOf));
        return new LoadResult(config, List.of(), warnings);
    }

    /** Drops repeated keys, reporting each at its own line and naming the first. */
    private List<PropertiesReader.Entry> withoutDuplicates(List<PropertiesReader.Entry> entries) {
        Map<String, PropertiesReader.Entry> first = new HashMap<>();
        List<PropertiesReader.Entry> out = new ArrayList<>();
        for (PropertiesReader.Entry e : entries) {
            PropertiesReader.Entry before = first.putIfAbsent(e.key(), e);
            if (before != null) {
                problem(e.line(), "duplicate key '" + e.key() + "' (first set on line " + before.line() + ")");
            } else {
                out.add(e);
            }
        }
        return out;
    }

    private void entry(PropertiesReader.Entry e, Set<String> listenerNames) {
        Key<?> k = Key.global(e.key());
        if (k == null && Renamed.of(e.key()) != null) {
            k = Renamed.of(e.key()).old();
        }
        if (k != null) {
            try {
                values.put(k, k.parse(e.key(), e.value()));
                explicit.add(k);
                lines.put(k, e.line());
            } catch (IllegalArgumentException ex) {
                invalid.add(k);
                problem(e, ex.getMessage());
            }
            return;
        }
        Matcher m = LISTEN_KEY.matcher(e.key());
        if (m.matches()) {
            String name = m.group(1);
            String suffix = m.group(2) == null ? "" : m.group(2);
            if (!LISTENER_NAME.matcher(name).matches()) {
                problem(e.line(), "bad listener name '" + name + "' in key '" + e.key()
                        + "'; names use lowercase letters, digits, '-' and '_'");
                return;
            }
            if (Key.LISTENER_KEYS.containsKey(suffix)) {
                drafts.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(suffix, e);
                return;
            }
        }
        String suggestion = DidYouMean.suggest(e.key(), candidates(listenerNames, m.matches() ? m.group(1) : null));
        problem(e, "unknown key '" + e.key() + "'" + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?"));
    }

    /** Old keys are read as their new ones, with a warning; both set is a problem. */
    private void renamed() {
        for (Renamed<?, ?> r : Renamed.ALL) {
            if (!explicit.contains(r.old())) {
                continue;
            }
            int at = lines.get(r.old());
            if (explicit.contains(r.now()) || invalid.contains(r.now())) {
                problem(at, "'" + r.old().name() + "' is replaced by '" + r.now().name() + "', which is set too; remove '"
                        + r.old().name() + "'");
                continue;
            }
            Object v = r.convert(values.get(r.old()));
            values.put(r.now(), v);
            explicit.add(r.now());
            lines.put(r.now(), at);
            warnings.add(new Problem(file, at, "warning: '" + r.old().name() + "' is replaced by '" + r.now().name() + "' ("
                    + r.why() + "); read as '" + r.now().name() + " = " + r.now().format(v) + "'"));
        }
    }

    /** The line of a key as written ({@code listen.https.acceptProxyProtocol}, {@code sources}), or 0. */
    private int lineOf(String key) {
        Key<?> k = Key.global(key);
        if (k != null) {
            return lines.getOrDefault(k, 0);
        }
        Matcher m = LISTEN_KEY.matcher(key);
        if (m.matches() && drafts.containsKey(m.group(1))) {
            PropertiesReader.Entry e = drafts.get(m.group(1)).get(m.group(2) == null ? "" : m.group(2));
            return e == null ? 0 : e.line();
        }
        return 0;
    }

    private static List<String> candidates(Set<String> listenerNames, String ownName) {
        List<String> c = new ArrayList<>();
        for (Key<?> k : Key.GLOBALS) {
            c.add(k.name());
        }
        Set<String> names = new LinkedHashSet<>();
        if (ownName != null && LISTENER_NAME.matcher(ownName).matches()) {
            names.add(ownName);
        }
        names.addAll(listenerNames);
        for (String n : names) {
            for (Key<?> k : Key.LISTENER_KEYS.values()) {
                c.add(k.name(n));
            }
        }
        return c;
    }

    /**
     * The listeners from their {@code listen.NAME*} keys: each has an address, a mode its other
     * keys fit, and a bind that clashes with no earlier one; at least one exists. Fills
     * {@link #listenerLines}.
     */
    private List<ListenerSpec> listeners() {
        List<ListenerSpec> out = new ArrayList<>();
        boolean anyAddress = false;
        for (Map.Entry<String, Map<String, PropertiesReader.Entry>> d : drafts.entrySet()) {
            String name = d.getKey();
            Map<String, PropertiesReader.Entry> keys = d.getValue();
            PropertiesReader.Entry bindEntry = keys.get("");
            if (bindEntry == null) {
                PropertiesReader.Entry some = keys.values().iterator().next();
                problem(some.line(), "'" + some.key() + "' is set but listener '" + name + "' has no address; add '"
                        + Key.LISTEN.name(name) + " = [address:]port'");
                continue;
            }
            anyAddress = true;
            InetSocketAddress bind = parse(Key.LISTEN, name, keys.get(""));
            Mode mode = keys.containsKey(".mode") ? parse(Key.LISTEN_MODE, name, keys.get(".mode")) : Mode.TLS;
            HostPort target = keys.containsKey(".target") ? parse(Key.LISTEN_TARGET, name, keys.get(".target")) : null;
            CidrSet proxy = keys.containsKey(".acceptProxyProtocol")
                    ? parse(Key.LISTEN_ACCEPT_PROXY_PROTOCOL, name, keys.get(".acceptProxyProtocol")) : CidrSet.none();
            Enforcement policy = keys.containsKey(".policy") ? parse(Key.LISTEN_POLICY, name, keys.get(".policy"))
                    : (Enforcement) values.get(Key.POLICY);
            if (mode == Mode.TCP && target == null && !keys.containsKey(".target")) {
                PropertiesReader.Entry at = keys.get(".mode");
                problem(at.line(), "listener '" + name + "' has mode tcp but no target; add '"
                        + Key.LISTEN_TARGET.name(name) + " = host:port'");
                continue;
            }
            if (mode != null && mode != Mode.TCP && keys.containsKey(".target")) {
                problem(keys.get(".target").line(), "'" + Key.LISTEN_TARGET.name(name) + "' is only used with mode tcp, but listener '"
                        + name + "' has mode " + mode + "; add '" + Key.LISTEN_MODE.name(name) + " = tcp' or remove the target");
                continue;
            }
            if (mode == Mode.TCP && keys.containsKey(".policy")) {
                problem(keys.get(".policy").line(), "'" + Key.LISTEN_POLICY.name(name) + "' is not used with mode tcp (a tcp "
                        + "listener has no allowlist to enforce or report); remove it");
                continue;
            }
            if (bind == null || mode == null || proxy == null || policy == null || (mode == Mode.TCP && target == null)) {
                continue; // already reported
            }
            if (target != null) {
                target = target.withDefaultPort(bind.getPort());
            }
            ListenerSpec spec = new ListenerSpec(name, bind, mode, target, proxy, policy);
            ListenerSpec other = out.stream().filter(o -> clash(spec.bind(), o.bind())).findFirst().orElse(null);
            if (other != null) {
                // Reported once, against the first listener that has the address; the loser is dropped.
                problem(bindEntry.line(), "listener '" + name + "' binds " + spec.bindText() + ", which clashes with listener '"
                        + other.name() + "' (" + other.bindText() + ", line " + listenerLines.get(other) + ")");
                continue;
            }
            listenerLines.put(spec, bindEntry.line());
            out.add(spec);
        }
        if (!anyAddress) {
            problem(0, "no listeners; add at least one 'listen.<name> = [address:]port', such as 'listen.https = 0.0.0.0:443'");
        }
        return out;
    }

    /** {@code admin.listen} must not take a listener's port. */
    private void adminPortFree(List<ListenerSpec> listeners) {
        Optional<InetSocketAddress> admin = bindValue(Key.ADMIN_LISTEN);
        if (admin.isEmpty()) {
            return;
        }
        for (ListenerSpec l : listeners) {
            if (clash(admin.get(), l.bind())) {
                boolean set = explicit.contains(Key.ADMIN_LISTEN);
                problem(set ? lines.get(Key.ADMIN_LISTEN) : listenerLines.get(l), "admin.listen " + Values.formatBind(admin.get())
                        + (set ? "" : " (the default)") + " clashes with listener '" + l.name() + "' (" + l.bindText()
                        + "); set admin.listen to another port or off");
            }
        }
    }

    /** {@code dns.listen}'s port must be neither a listener's nor the admin endpoint's: DNS answers on TCP too. */
    private void dnsPortFree(List<ListenerSpec> listeners) {
        Optional<InetSocketAddress> dns = bindValue(Key.DNS_LISTEN);
        if (dns.isEmpty()) {
            return;
        }
        Integer at = lines.get(Key.DNS_LISTEN);
        for (ListenerSpec l : listeners) {
            if (clash(dns.get(), l.bind())) {
                problem(at, "dns.listen " + Values.formatBind(dns.get()) + " clashes with listener '" + l.name() + "' ("
                        + l.bindText() + ", line " + listenerLines.get(l) + "); DNS uses that port for TCP too");
            }
        }
        Optional<InetSocketAddress> admin = bindValue(Key.ADMIN_LISTEN);
        if (admin.isPresent() && clash(dns.get(), admin.get())) {
            problem(at, "dns.listen " + Values.formatBind(dns.get()) + " clashes with admin.listen "
                    + Values.formatBind(admin.get()) + "; DNS uses that port for TCP too");
        }
    }

    /** The value of an optional bind key; empty when it is off or was invalid. */
    @SuppressWarnings("unchecked")
    private Optional<InetSocketAddress> bindValue(Key<Optional<InetSocketAddress>> key) {
        Optional<InetSocketAddress> v = (Optional<InetSocketAddress>) values.get(key);
        return v == null ? Optional.empty() : v;
    }

    /** Two binds clash on the same port when the addresses are equal or one is the wildcard of the same family. */
    private static boolean clash(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() != b.getPort() || a.getPort() == 0) {
            return false; // port 0: each gets its own free port
        }
        if (a.isUnresolved() || b.isUnresolved()) {
            // an interface: the same one, or a wildcard (which covers every interface); another
            // address may or may not be the interface's, which only the bind at run time tells
            if (a.isUnresolved() && b.isUnresolved()) {
                return a.getHostString().equals(b.getHostString());
            }
            return (a.isUnresolved() ? b : a).getAddress().isAnyLocalAddress();
        }
        if (a.getAddress().equals(b.getAddress())) {
            return true;
        }
        boolean sameFamily = (a.getAddress() instanceof Inet4Address) == (b.getAddress() instanceof Inet4Address);
        return sameFamily && (a.getAddress().isAnyLocalAddress() || b.getAddress().isAnyLocalAddress());
    }

    /** Parses a listener key, reporting a problem and returning null if it is bad. */
    private <T> T parse(Key<T> key, String listener, PropertiesReader.Entry e) {
        try {
            return key.parse(key.name(listener), e.value());
        } catch (IllegalArgumentException ex) {
            problem(e.line(), ex.getMessage());
            return null;
        }
    }

    private Path baseFolder() {
        Path abs = file.toAbsolutePath();
        Path parent = abs.getParent();
        return parent != null ? parent : abs.getRoot();
    }

    /** A path key resolved against the config folder, or null (with a problem) if it cannot be a path. */
    private Path resolve(Path base, Key<String> key) {
        String v = (String) values.get(key);
        if (v == null) {
            return null;
        }
        try {
            return base.resolve(v).normalize();
        } catch (InvalidPathException e) {
            problem(explicit.contains(key) ? lines.get(key) : 0, "bad value '" + v + "' for '" + key.name() + "': " + e.getMessage()
                    + "; expected " + key.allowed());
            return null;
        }
    }

    /**
     * The egress proxy's keys together: the proxy is for the top level (a box with a parent
     * hands everything up), credentials and a bypass list mean nothing without a proxy, and the
     * credentials file is read now (a reload reads it again), its problems named at its line.
     */
    private void egress(Path base) {
        Object proxies = values.get(Key.EGRESS_PROXY);
        boolean hasProxy = proxies instanceof List<?> l && !l.isEmpty();
        if (hasProxy && values.get(Key.PARENT) instanceof List<?> p && !p.isEmpty()) {
            problem(lines.get(Key.EGRESS_PROXY), "egress.proxy is set but so is parent: only the top level goes out through "
                    + "a proxy; a box with a parent hands its connections up");
        }
        if (!hasProxy && !invalid.contains(Key.EGRESS_PROXY)) {
            for (Key<?> k : List.of(Key.EGRESS_PROXY_CREDENTIALS, Key.EGRESS_PROXY_BYPASS)) {
                if (explicit.contains(k) && !k.format(values.get(k)).isEmpty()) {
                    problem(lines.get(k), k.name() + " is set but egress.proxy is not: there is no proxy to use it with");
                }
            }
        }
        if (values.get(Key.EGRESS_PROXY_CREDENTIALS) instanceof ProxyCredentials c && c.isSet()) {
            int line = lines.getOrDefault(Key.EGRESS_PROXY_CREDENTIALS, 0);
            try {
                values.put(Key.EGRESS_PROXY_CREDENTIALS, c.read(base.resolve(c.path()).normalize()));
            } catch (InvalidPathException e) {
                invalid.add(Key.EGRESS_PROXY_CREDENTIALS);
                problem(line, "bad value '" + c.path() + "' for 'egress.proxy.credentials': " + e.getMessage());
            } catch (IllegalArgumentException e) {
                invalid.add(Key.EGRESS_PROXY_CREDENTIALS);
                problem(line, "egress.proxy.credentials: " + e.getMessage());
            }
        }
    }

    /**
     * {@code dns.forwardZones} without {@code dns.upstream} has nowhere to send the names the
     * operator meant to forward: an error. The other way round (an upstream without zones, as
     * configs written before forward zones existed have it) forwards nothing and is a warning
     * ({@link Warnings}), so such a box still starts and answers its allowlist.
     */
    private void dnsForwarding() {
        Object upstream = values.get(Key.DNS_UPSTREAM);
        Object zones = values.get(Key.DNS_FORWARD_ZONES);
        boolean hasUpstream = upstream instanceof List<?> l && !l.isEmpty();
        boolean hasZones = zones instanceof ForwardZones z && !z.isEmpty();
        if (hasZones && !hasUpstream) {
            problem(lines.get(Key.DNS_FORWARD_ZONES), "dns.forwardZones is set but dns.upstream is not: there is no "
                    + "server to forward to");
        }
    }
}
