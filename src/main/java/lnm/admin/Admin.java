package lnm.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

import lnm.audit.AuditRecord;
import lnm.config.Config;
import lnm.floor.ConnectionInfo;

/**
 * Everything the appliance has besides proxying: metrics, the once-a-second sampler behind the
 * status page's charts, the admin HTTP endpoint and the config file watcher. The composition
 * root creates one before the proxy engine (so that {@link #onClose} can be handed to it),
 * {@link #start}s it after the listeners are bound, tells it about reloads and closes it last.
 *
 * <p>Lifecycle: {@code new Admin(view)} → {@link #start} → ({@link #beforeReload},
 * {@link #afterReload})* → {@link #close}.
 */
public final class Admin implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Admin.class.getName());
    static final long DEBOUNCE_MILLIS = 500;

    private final ApplianceView view;
    private final Metrics metrics = new Metrics();
    private final History history = new History(StatusPage.WINDOW_SECONDS + 2);
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lnm-admin-sampler");
        t.setDaemon(true);
        return t;
    });
    private AdminServer http;
    private Optional<InetSocketAddress> bound = Optional.empty();
    private ConfigWatcher watcher;

    public Admin(ApplianceView view) {
        this.view = view;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** For {@code Services}: counts each finished connection; runs on loop threads. */
    public Consumer<AuditRecord> onClose() {
        return metrics::record;
    }

    /**
     * Starts sampling, the HTTP endpoint ({@code admin.listen}, unless off) and the watcher of
     * the config and allowlist files.
     *
     * @param reload what a changed file triggers (the appliance's reload)
     * @throws IOException when {@code admin.listen} cannot be bound
     */
    public synchronized void start(Config c, Runnable reload) throws IOException {
        List<String> problems = rebind(c.adminListen());
        if (!problems.isEmpty()) {
            throw new IOException(problems.get(0));
        }
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        try {
            watcher = new ConfigWatcher(c.file(), c.allowlistFile(), c.loadedFrom(), DEBOUNCE_MILLIS, reload);
        } catch (IOException e) {
            LOG.warning("cannot watch " + c.file() + " for changes (" + e.getMessage() + "); reload with SIGHUP");
        }
    }

    /** Every reload, whatever its trigger, calls this first: the files' content now is what gets loaded. */
    public void beforeReload() {
        ConfigWatcher w;
        synchronized (this) {
            w = watcher;
        }
        if (w != null) {
            w.markLoaded();
        }
    }

    /**
     * After a reload attempt: moves the admin endpoint if {@code admin.listen} changed, watches
     * the allowlist's new folder, and counts the reload.
     *
     * @param inForce the config in force now (the new one, or the old one if rejected)
     * @param problems what the reload reported
     * @return {@code problems} plus any of the admin endpoint's own
     */
    public synchronized List<String> afterReload(Config inForce, List<String> problems) {
        List<String> all = new ArrayList<>(problems);
        all.addAll(rebind(inForce.adminListen()));
        if (watcher != null) {
            try {
                watcher.follow(inForce.file(), inForce.allowlistFile());
            } catch (IOException e) {
                LOG.warning("cannot watch " + inForce.allowlistFile() + ": " + e.getMessage());
            }
        }
        metrics.reloaded(all);
        return all;
    }

    /**
     * Connections handled since start, allowed and denied ({@code connections}), and how many of
     * them were denied.
     */
    public record Handled(long connections, long denied) {}

    /** Connections handled since start and how many were denied: for the fleet report. */
    public Handled handled() {
        return new Handled(metrics.allowed() + metrics.denied(), metrics.denied());
    }

    /** The {@code n} most denied names with their counts, most first: for the fleet report. */
    public List<Map.Entry<String, Long>> topDenied(int n) {
        return metrics.topDenied(n).stream().map(e -> Map.entry(e.name(), e.count())).toList();
    }

    /** For tests: the config watcher, or null when it is not running. */
    synchronized ConfigWatcher watcher() {
        return watcher;
    }

    /** Where the admin endpoint is bound (the real port when configured as 0), if it is. */
    public synchronized Optional<InetSocketAddress> address() {
        return http == null ? Optional.empty() : Optional.of(http.address());
    }

    private List<String> rebind(Optional<InetSocketAddress> want) {
        if (want.equals(bound) && (want.isEmpty() || http != null)) {
            return List.of();
        }
        if (http != null) {
            http.stop();
            http = null;
            LOG.info("admin endpoint on " + bound.map(Object::toString).orElse("") + " closed");
        }
        bound = Optional.empty();
        if (want.isEmpty()) {
            return List.of();
        }
        try {
            http = new AdminServer(want.get(), view, metrics, history);
            bound = want;
            InetSocketAddress a = http.address();
            LOG.info("admin endpoint on http://" + lnm.config.IpLiteral.format(a)
                    + "/ (status page, /metrics, /healthz, /readyz, /connections, /devices)");
            return List.of();
        } catch (IOException | RuntimeException e) {
            return List.of("admin.listen " + lnm.config.IpLiteral.format(want.get())
                    + ": cannot bind: " + e.getMessage());
        }
    }

    /** Once a second: live bytes into the counters, one point for each chart. */
    private void sample() {
        try {
            if (!view.stopping()) { // the loops stop at the end of a drain: no snapshot then
                Map<String, long[]> finished = metrics.finishedBytes(); // before the snapshot: see Metrics
                List<ConnectionInfo> live = view.connections();
                metrics.sampleLive(finished, live);
            }
            history.add(new History.Sample(System.currentTimeMillis(), view.activeConnections(), metrics.allowed(),
                    metrics.denied(), metrics.bytesUp(), metrics.bytesDown()));
        } catch (RuntimeException e) {
            LOG.warning("admin sampler: " + e);
        }
    }

    /** Stops the watcher, the sampler and the endpoint. */
    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        sampler.shutdownNow();
        if (http != null) {
            http.stop();
            http = null;
        }
        bound = Optional.empty();
    }
}
