package lnm.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

import lnm.admin.Admin;
import lnm.admin.ApplianceView;
import lnm.audit.AuditLog;
import lnm.audit.AuditRecord;
import lnm.config.Config;
import lnm.config.ListenerSpec;
import lnm.config.LoadResult;
import lnm.config.Problem;
import lnm.dns.DnsServer;
import lnm.dns.Resolver;
import lnm.fleet.BundleStore;
import lnm.floor.ConnectionInfo;
import lnm.floor.NicWatch;
import lnm.net.Server;
import lnm.net.Services;
import lnm.upstream.AddressHealth;
import lnm.upstream.ParentChecker;
import lnm.upstream.ParentSet;
import lnm.upstream.ParentStatus;

/**
 * The running appliance: config, audit log, resolver and proxy engine wired together, with
 * reload and drain. {@code lnm run} drives one; integration tests start one in-process.
 */
public final class Appliance implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Appliance.class.getName());

    /** Start-up failed; each message is ready to print. */
    public static final class StartException extends Exception {
        private final List<String> problems;

        StartException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = problems;
        }

        public List<String> problems() {
            return problems;
        }
    }

    private final Path configFile;
    private final AuditLog audit;
    private final Resolver resolver;
    private final Services services;
    private final Server server;
    private final DnsServer dns; // built-in DNS for the level below (idle unless dns.listen is set)
    private final long startedAt = System.currentTimeMillis();
    private volatile boolean stopped;
    // ---- admin: metrics, status page, config watcher ----
    private final Admin admin;
    private final Object reloadLock = new Object();
    // parents with their health, checked in the background
    private final ParentSet parents;
    private final AddressHealth addrs;
    private final ParentChecker parentChecker;
    /** Fleet: pulls bundles (a box below), relays pulls (a middle box), signs them (the top). */
    private final lnm.fleet.Fleet fleet;
    /** The addresses of the interfaces the config names, followed as they change. */
    private final NicWatch nics;

    private Appliance(Path configFile, Config c, Consumer<AuditRecord> onClose, Resolver.Lookup lookup) throws IOException {
        this.configFile = configFile;
        this.admin = new Admin(new View());
        this.audit = new AuditLog(c.auditFile(), c.auditMaxBytes(), c.auditKeep(), 65_536);
        this.resolver = new Resolver(4, c.dnsCacheSeconds(),
                admin.metrics().countingLookup(lookup == null ? InetAddress::getAllByName : lookup));
        LongSupplier clock = () -> System.nanoTime() / 1_000_000;
        this.parents = new ParentSet(c, clock);
        this.addrs = new AddressHealth(clock, c.parentDownMillis());
        this.services = new Services(c, audit, resolver, parents, addrs, admin.onClose().andThen(onClose));
        this.nics = NicWatch.system();
        this.server = new Server(services, nics);
        this.dns = new DnsServer(services::config, audit, nics);
        this.parentChecker = new ParentChecker(parents, services::config);
        this.fleet = new lnm.fleet.Fleet(new FleetLocal());
    }

    /** Loads, validates and starts; throws with every problem when it cannot. */
    public static Appliance start(Path configFile) throws StartException {
        return start(configFile, r -> { });
    }

    public static Appliance start(Path configFile, Consumer<AuditRecord> onClose) throws StartException {
        return start(configFile, onClose, null);
    }

    /**
     * Starts with {@code lookup} answering every DNS question instead of the JDK resolver: how
     * tests make a name fail, hang or answer with an address of their choosing (loopback only).
     * {@code null} means the JDK resolver.
     */
    public static Appliance start(Path configFile, Consumer<AuditRecord> onClose, Resolver.Lookup lookup) throws StartException {
        LoadResult lr = BundleStore.load(configFile);
        if (!lr.ok()) {
            throw new StartException(lr.problems().stream().map(Problem::toString).toList());
        }
        Config c = lr.config();
        lr.warnings().forEach(w -> LOG.warning(w.toString()));
        Appliance a;
        try {
            a = new Appliance(configFile, c, onClose, lookup);
        } catch (IOException e) {
            throw new StartException(List.of(c.auditFile() + ": cannot open audit log: " + e.getMessage()));
        }
        a.nics.watch(c.namedInterfaces()); // listed once here, so the listeners bind what the interfaces have
        List<String> problems = a.server.start();
        // The DNS server starts after the proxy; if it cannot bind, the proxy stops and the start fails.
        if (problems.isEmpty()) {
            problems = a.dns.start();
            if (!problems.isEmpty()) {
                try {
                    a.server.shutdown(0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (!problems.isEmpty()) {
            a.nics.close();
            a.audit.close();
            a.resolver.close();
            throw new StartException(problems);
        }
        a.nics.start();
        try {
            a.admin.start(c, a::reload);
            a.parentChecker.start();
        } catch (IOException e) {
            a.shutdown();
            throw new StartException(List.of(e.getMessage()));
        }
        List<String> fleetProblems = a.fleet.apply(c);
        if (!fleetProblems.isEmpty()) {
            a.shutdown();
            throw new StartException(fleetProblems);
        }
        LOG.info("lnm " + Version.get() + " level " + c.level() + " started with " + c.listeners().size()
                + " listener(s), " + c.allowlist().rules().size() + " allowlist rule(s), parent "
                + (c.parents().isEmpty() ? "none" : c.parents().size() == 1 ? c.parents().get(0)
                        : c.parents() + " (" + c.parentBalance() + ")")
                + (c.egressProxies().isEmpty() ? "" : ", egress proxy " + c.egressProxies().stream().map(Object::toString)
                        .collect(java.util.stream.Collectors.joining(", "))
                        + (c.egressCredentials().isSet() ? " (credentials from " + c.egressCredentials().path() + ")" : "")));
        logReportMode(c, null);
        return a;
    }

    /**
     * Re-reads the config and allowlist; a valid one applies to new connections, an invalid
     * one is logged with the same messages as {@code lnm check} and the old one stays.
     *
     * @return the problems, empty when the reload was applied
     */
    public List<String> reload() {
        synchronized (reloadLock) {
            if (stopped) {
                return List.of("shutting down: reload ignored");
            }
            admin.beforeReload();
            List<String> problems = new ArrayList<>(reloadNow());
            problems.addAll(fleet.apply(config()));
            return admin.afterReload(config(), problems);
        }
    }

    private List<String> reloadNow() {
        audit.reopen();
        LoadResult lr = BundleStore.load(configFile);
        if (!lr.ok()) {
            List<String> msgs = lr.problems().stream().map(Problem::toString).toList();
            for (String m : msgs) {
                LOG.warning("reload rejected, keeping the running config: " + m);
            }
            return msgs;
        }
        lr.warnings().forEach(w -> LOG.warning(w.toString()));
        Config before = config();
        try {
            nics.watch(lr.config().namedInterfaces());
            List<String> bind = new ArrayList<>(server.apply(lr.config()));
            bind.addAll(dns.apply(lr.config()));
            parents.apply(lr.config());
            addrs.setDownMillis(lr.config().parentDownMillis());
            for (String m : bind) {
                LOG.warning("reload: " + m);
            }
            LOG.info("config reloaded: " + lr.config().allowlist().rules().size() + " allowlist rule(s)");
            logReportMode(lr.config(), before);
            return bind;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("reload interrupted");
        }
    }

    /**
     * Says which listeners are in report mode (not denying names off the allowlist): every one
     * at start ({@code before} null), and at a reload those that were not before.
     */
    private static void logReportMode(Config c, Config before) {
        List<String> now = new ArrayList<>();
        for (ListenerSpec l : c.reportListeners()) {
            boolean was = before != null && before.reportListeners().stream().anyMatch(o -> o.name().equals(l.name()));
            if (!was) {
                now.add(l.name());
            }
        }
        if (!now.isEmpty()) {
            LOG.warning("report mode on listener(s) " + String.join(", ", now) + ": not denying by default; names the allowlist "
                    + "does not list are relayed and audited as would-deny");
        }
    }

    public Server server() {
        return server;
    }

    public Config config() {
        return services.config();
    }

    public AuditLog audit() {
        return audit;
    }

    /** The built-in DNS server; not running unless {@code dns.listen} is set. */
    public DnsServer dns() {
        return dns;
    }

    public Resolver resolver() {
        return resolver;
    }

    public long startedAt() {
        return startedAt;
    }

    /** The parents and their health; connections ask it where to go ({@link ParentSet#candidates}). */
    public ParentSet parents() {
        return parents;
    }

    /** Upstream addresses that could not be reached lately, tried after the others. */
    public AddressHealth addresses() {
        return addrs;
    }

    /** Metrics, status page and config watcher. */
    public Admin admin() {
        return admin;
    }

    /** Stops accepting, drains for the configured period, closes the rest, flushes the audit log. */
    public synchronized void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        nics.close(); // no listener is opened again while draining
        dns.close(); // a draining box stops attracting clients first
        fleet.close(); // no bundle lands and no pull is relayed while draining
        try {
            server.shutdown(services.config().drainMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        parentChecker.close();
        admin.close();
        resolver.close();
        audit.close();
        LOG.info("stopped; " + audit.written() + " audit record(s) written, " + audit.dropped() + " dropped");
    }

    @Override
    public void close() {
        shutdown();
    }

    /** The fleet part (the plant view on the top box). */
    public lnm.fleet.Fleet fleet() {
        return fleet;
    }

    /** What the fleet reads from this appliance. */
    private final class FleetLocal implements lnm.fleet.Local {
        @Override
        public Config config() {
            return services.config();
        }

        @Override
        public List<String> reload() {
            return Appliance.this.reload();
        }

        @Override
        public String health() {
            return stopped ? "draining" : server.ready() ? "ready" : "not ready";
        }

        @Override
        public long startedAt() {
            return startedAt;
        }

        @Override
        public String version() {
            return Version.get();
        }

        @Override
        public long connections() {
            return admin.handled().connections();
        }

        @Override
        public long denied() {
            return admin.handled().denied();
        }

        @Override
        public List<lnm.fleet.Report.NameCount> topDenied(int n) {
            return admin.topDenied(n).stream().map(e -> new lnm.fleet.Report.NameCount(e.getKey(), e.getValue())).toList();
        }
    }

    /** What the admin endpoints read. */
    private final class View implements ApplianceView {
        @Override
        public Config config() {
            return services.config();
        }

        @Override
        public boolean ready() {
            return !stopped && server.ready();
        }

        @Override
        public boolean stopping() {
            return stopped;
        }

        @Override
        public int activeConnections() {
            return server.activeConnections();
        }

        @Override
        public lnm.net.HeadBytes headBytes() {
            return server.headBytes();
        }

        @Override
        public List<ConnectionInfo> connections() {
            return server.connections();
        }

        @Override
        public Optional<InetSocketAddress> listenerAddress(String listener) {
            return server.address(listener);
        }

        @Override
        public List<InetSocketAddress> listenerAddresses(String listener) {
            return server.addresses(listener);
        }

        @Override
        public long auditWritten() {
            return audit.written();
        }

        @Override
        public long auditDropped() {
            return audit.dropped();
        }

        @Override
        public long dnsCacheHits() {
            return resolver.hits.get();
        }

        @Override
        public long dnsForwardMismatches() {
            return dns.counters().forwardMismatches.sum();
        }

        @Override
        public long startedAt() {
            return startedAt;
        }

        @Override
        public String version() {
            return Version.get();
        }

        @Override
        public List<ParentStatus> parents() {
            return parents.status();
        }

        @Override
        public List<ParentStatus> egressProxies() {
            return services.proxyStatus();
        }

        @Override
        public Optional<lnm.fleet.Fleet> fleet() {
            return Optional.of(fleet);
        }
    }
}
