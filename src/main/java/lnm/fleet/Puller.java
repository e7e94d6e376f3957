package lnm.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.Key;
import lnm.config.LoadResult;
import lnm.config.Problem;

/**
 * A box below the top: pulls its bundle at start and every {@code fleet.interval}, with its
 * report and a fresh nonce, signed with {@code fleet.boxKey}. An answer is looked at only if its
 * signature verifies with {@code fleet.trust}, it names this box and it carries the nonce just
 * sent (so an answer recorded earlier never applies); the bundle inside is applied only if its
 * signature verifies with {@code fleet.trust}, it is for this box, its generation is above the
 * one in force, and the config with it passes the
 * same checks as {@code lnm check}; then it is stored as the last good bundle and applied by
 * the appliance's reload (live connections keep the config they started with). Anything else
 * is refused, logged and reported upward; the running config stays.
 */
final class Puller implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Puller.class.getName());

    private final Local local;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lnm-fleet-pull");
        t.setDaemon(true);
        return t;
    });
    private volatile long generation;
    private volatile String refusal = "";
    private volatile long refusalGeneration;
    private volatile String pullError = "";
    private volatile long lastPullMillis;

    Puller(Local local) {
        this.local = local;
        Bundle b = BundleStore.inForce(local.config());
        this.generation = b == null ? 0 : b.generation();
    }

    void start() {
        timer.execute(this::cycle);
    }

    private void cycle() {
        try {
            pullOnce();
        } catch (RuntimeException e) {
            pullError = "internal error: " + e;
            LOG.warning("fleet pull failed: " + e);
        }
        if (!timer.isShutdown()) {
            timer.schedule(this::cycle, local.config().get(Key.FLEET_INTERVAL), TimeUnit.MILLISECONDS);
        }
    }

    /** One pull: report, fetch, check, apply. */
    void pullOnce() {
        Config c = local.config();
        if (!FleetSource.pulls(c)) {
            return;
        }
        List<HostPort> src = FleetSource.all(c);
        if (src.isEmpty()) {
            failed("fleet.source = parent, but no parent is set");
            return;
        }
        Path keyFile = c.file().toAbsolutePath().getParent().resolve(c.get(Key.FLEET_BOX_KEY));
        PrivateKey boxKey;
        try {
            boxKey = KeyLines.readPrivate(keyFile);
        } catch (IOException e) {
            failed("fleet.boxKey: " + e.getMessage());
            return;
        }
        int timeout = (int) Math.max(2_000, Math.min(10_000, c.get(Key.FLEET_INTERVAL)));
        String nonce = Pull.freshNonce();
        FleetHttp.Response r;
        try {
            r = FleetSource.post(src, List.of(), Pull.encode(report(c), nonce, boxKey), timeout);
        } catch (IOException e) {
            failed("source unreachable (" + e.getMessage() + ")");
            return;
        }
        lastPullMillis = System.currentTimeMillis();
        if (r.status() != 200) {
            failed("source answered " + r.status() + ": " + r.text());
            return;
        }
        pullError = "";
        accept(c, r.body(), nonce);
    }

    private void failed(String why) {
        if (!why.equals(pullError)) {
            LOG.warning("fleet: " + why + "; keeping the running config");
        }
        pullError = why;
    }

    private void accept(Config c, byte[] bytes, String nonce) {
        Answer a;
        Bundle b;
        try {
            a = Answer.parse(bytes);
        } catch (IllegalArgumentException e) {
            refuse(0, "malformed answer: " + e.getMessage());
            return;
        }
        String why = a.refusal(c.get(Key.FLEET_TRUST), c.get(Key.NAME), nonce);
        if (why != null) {
            refuse(generationIn(a), why);
            return;
        }
        try {
            b = Bundle.parse(a.bundle());
        } catch (IllegalArgumentException e) {
            refuse(0, "malformed bundle: " + e.getMessage());
            return;
        }
        why = BundleStore.refusal(b, c);
        if (why != null) {
            refuse(b.generation(), why);
            return;
        }
        if (b.generation() == generation) {
            return; // nothing new
        }
        if (b.generation() < generation) {
            refuse(b.generation(), "generation " + b.generation() + " is older than " + generation + " in force (rollback)");
            return;
        }
        String name = c.get(Key.NAME);
        LoadResult lr = Config.load(c.file(), BundleStore.layer(b, Path.of(name, Bundle.ALLOWLIST), Path.of(name, Bundle.OVERRIDES)));
        if (!lr.ok()) {
            refuse(b.generation(), "config would not pass lnm check: "
                    + String.join("; ", lr.problems().stream().map(Problem::toString).toList()));
            return;
        }
        try {
            BundleStore.commit(c, b);
        } catch (IOException e) {
            failed("cannot store bundle generation " + b.generation() + " in " + BundleStore.stateDir(c) + ": " + e);
            return;
        }
        long before = generation;
        generation = b.generation();
        List<String> problems = local.reload();
        LOG.info("fleet: bundle generation " + b.generation() + " applied (was " + before + ")"
                + (problems.isEmpty() ? "" : "; reload said: " + String.join("; ", problems)));
    }

    /** The generation of the bundle in a refused answer, for the log and the report; 0 if unreadable. */
    private static long generationIn(Answer a) {
        try {
            return Bundle.parse(a.bundle()).generation();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    private void refuse(long gen, String why) {
        if (!why.equals(refusal) || gen != refusalGeneration) {
            LOG.warning("fleet: bundle generation " + gen + " refused: " + why + "; keeping the running config");
        }
        refusal = why;
        refusalGeneration = gen;
    }

    /** This box's report as of now. */
    Report report(Config c) {
        return Fleet.report(local, c, generation, refusal, refusalGeneration, pullError);
    }

    long generation() {
        return generation;
    }

    String pullError() {
        return pullError;
    }

    String refusal() {
        return refusal;
    }

    long lastPullMillis() {
        return lastPullMillis;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
