package lnm.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.IpLiteral;
import lnm.config.Key;
import lnm.side.SideRules;
import lnm.side.SideStats;

/**
 * A box's part in the fleet, from its config: the top ({@code fleet.dir}, {@code fleet.key},
 * {@code fleet.listen}) signs bundles and keeps the {@link Plant}; a middle box
 * ({@code fleet.listen} and {@code fleet.source}) relays its children's pulls upward, unchanged;
 * every box with {@code fleet.source} pulls its own, signing its pulls with {@code fleet.boxKey}.
 * Lifecycle: {@link #apply} at start and after every reload, {@link #close} at shutdown.
 */
public final class Fleet implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Fleet.class.getName());

    private final Local local;
    /** Kept across reloads that reload the key or folder, so the count runs since start. */
    private final Unenrolled unenrolled = new Unenrolled();
    private FleetServer server;
    private Optional<InetSocketAddress> bound = Optional.empty();
    private String serverMode = "";
    private Plant plant;
    /** The fleet folder, signing key, state folder and box name a signer is made from. */
    private record SignerSource(Path dir, Path key, Path stateDir, String name) {}

    /** What the signer in use was made from; a reload that changes any of it makes a new one. */
    private SignerSource signerKey;
    private Puller puller;

    public Fleet(Local local) {
        this.local = local;
    }

    /**
     * Brings the fleet parts in line with {@code c}: binds or moves {@code fleet.listen}, loads
     * the signing key, checks that the box key ({@code fleet.boxKey}) loads, starts pulling.
     *
     * @return problems (a port that cannot be bound, an unreadable key), empty if none
     */
    public synchronized List<String> apply(Config c) {
        List<String> problems = new ArrayList<>();
        boolean top = !c.get(Key.FLEET_DIR).isEmpty();
        Path base = c.file().toAbsolutePath().getParent();
        if (top) {
            SignerSource id = new SignerSource(base.resolve(c.get(Key.FLEET_DIR)), base.resolve(c.get(Key.FLEET_KEY)),
                    BundleStore.stateDir(c), c.get(Key.NAME));
            if (plant == null || !id.equals(signerKey)) {
                try {
                    Path keyFile = base.resolve(c.get(Key.FLEET_KEY));
                    Signer s = new Signer(base.resolve(c.get(Key.FLEET_DIR)), BundleStore.stateDir(c), KeyLines.readPrivate(keyFile));
                    plant = new Plant(c.get(Key.NAME), base.resolve(c.get(Key.FLEET_DIR)), s,
                            () -> report(local, local.config(), 0, "", 0, ""), unenrolled);
                    signerKey = id;
                } catch (IOException e) {
                    problems.add("fleet.key: " + e.getMessage());
                }
            }
        } else {
            plant = null;
            signerKey = null;
        }
        Optional<InetSocketAddress> want = c.get(Key.FLEET_LISTEN);
        String mode = top ? "top" : "relay";
        if (!want.equals(bound) || !mode.equals(serverMode) || (want.isPresent() && server == null)) {
            if (server != null) {
                server.stop();
                server = null;
            }
            bound = Optional.empty();
            if (want.isPresent()) {
                try {
                    server = new FleetServer(want.get(), c.get(Key.NAME), top ? this::sign : this::relay, this::rules);
                    bound = want;
                    serverMode = mode;
                    InetSocketAddress a = server.address();
                    LOG.info("fleet endpoint (" + mode + ") on " + IpLiteral.format(a));
                } catch (IOException | RuntimeException e) {
                    problems.add("fleet.listen " + want.get() + ": cannot bind: " + e.getMessage());
                }
            }
        }
        if (FleetSource.pulls(c)) {
            try {
                KeyLines.readPrivate(base.resolve(c.get(Key.FLEET_BOX_KEY)));
            } catch (IOException e) {
                problems.add("fleet.boxKey: " + e.getMessage());
            }
        }
        if (FleetSource.pulls(c) && puller == null) {
            puller = new Puller(local);
            puller.start();
        }
        return problems;
    }

    /** Who may pull, from the config in force: {@code fleet.sources} and the per-source limits. */
    private SideRules rules() {
        Config c = local.config();
        return new SideRules(c.fleetSources(), false, c.get(Key.PER_SOURCE_CONNECTIONS), c.get(Key.PER_SOURCE_RATE),
                c.ipv6PrefixLength(), null);
    }

    /** The plant view, on the top box only. */
    public synchronized Optional<Plant> plant() {
        return Optional.ofNullable(plant);
    }

    /** Where {@code fleet.listen} is bound (the real port when configured as 0). */
    public synchronized Optional<InetSocketAddress> address() {
        return server == null ? Optional.empty() : Optional.of(server.address());
    }

    /** What {@code fleet.listen} turned away, while it is bound. */
    public synchronized Optional<SideStats> portStats() {
        return server == null ? Optional.empty() : Optional.of(server.stats());
    }

    /**
     * A box's own pulling state: the bundle generation in force (0: none yet), why the last
     * bundle was refused and why the last pull failed (each empty when it did not).
     */
    public record PullState(long generation, String refusal, String pullError) {}

    /** This box's own fleet state for its status page: generation, last refusal, last pull error. */
    public synchronized Optional<PullState> pullState() {
        if (puller == null) {
            return Optional.empty();
        }
        return Optional.of(new PullState(puller.generation(), puller.refusal(), puller.pullError()));
    }

    /**
     * The top's answer: nothing is believed, kept or disclosed before the pull's signature
     * verifies with a key in the box's {@code box.pub}; a refused pull is only counted.
     */
    private FleetHttp.Response sign(Pull pull, List<String> via, String peer) {
        Plant p;
        synchronized (this) {
            p = plant;
        }
        if (p == null) {
            return new FleetHttp.Response(503, FleetServer.text("the top box has no usable fleet.key"));
        }
        Report r = pull.report();
        long now = System.currentTimeMillis();
        String why = Enrolment.refusal(p.fleetDir(), pull);
        if (why != null) {
            p.unenrolled().note(r.name(), via.isEmpty() ? peer : peer + " via " + String.join(", ", via), why, now);
            return new FleetHttp.Response(403, FleetServer.text(why));
        }
        if (!p.record(r, via, now)) {
            return new FleetHttp.Response(503, FleetServer.text("too many boxes"));
        }
        Signer.Outcome o = p.signer().bundle(r.name(), r.generation());
        if (o.bundle() == null) {
            return new FleetHttp.Response(409, FleetServer.text("the folder of box '" + r.name() + "' at the top does not pass lnm check: "
                    + String.join("; ", o.problems().stream().map(Object::toString).toList())));
        }
        return new FleetHttp.Response(200, p.signer().answer(o.bundle(), pull.nonce()));
    }

    private FleetHttp.Response relay(Pull pull, List<String> via, String peer) {
        Config c = local.config();
        List<HostPort> src = FleetSource.all(c);
        String me = c.get(Key.NAME);
        if (src.isEmpty()) {
            return new FleetHttp.Response(502, FleetServer.text("relay '" + me + "' has no fleet.source to pass the pull to"));
        }
        List<String> path = new ArrayList<>(via);
        path.add(me);
        try {
            return FleetSource.post(src, path, pull.bytes(), 10_000);
        } catch (IOException e) {
            return new FleetHttp.Response(502, FleetServer.text("relay '" + me + "' cannot reach its source (" + e.getMessage() + ")"));
        }
    }

    /** A report of this box now. */
    static Report report(Local l, Config c, long generation, String refusal, long refusalGeneration, String pullError) {
        long up = Math.max(0, (System.currentTimeMillis() - l.startedAt()) / 1000);
        return new Report(c.get(Key.NAME), c.level(), l.version(), generation, l.health(), up, l.connections(), l.denied(),
                l.topDenied(Report.MAX_NAMES), refusal, refusalGeneration, pullError, c.get(Key.FLEET_INTERVAL));
    }

    @Override
    public synchronized void close() {
        if (puller != null) {
            puller.close();
            puller = null;
        }
        if (server != null) {
            server.stop();
            server = null;
        }
        bound = Optional.empty();
    }
}
