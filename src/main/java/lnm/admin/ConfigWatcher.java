package lnm.admin;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.SourceDigest;

/**
 * Reloads when {@code lnm.properties} or the allowlist changes on disk.
 *
 * <p>Watches the folders that hold the two files (a folder, not the file, so that editors that
 * save by writing a new file and renaming it over the old one are seen too) and ignores events
 * for other names, such as an audit log in the same folder. The configured names may be
 * symbolic links: a Kubernetes ConfigMap volume mounts {@code lnm.properties -> ..data/lnm.properties}
 * with {@code ..data -> ..<timestamp>/}, and an update renames a new {@code ..data} link over
 * the old one, so no event ever names {@code lnm.properties}. Any event in a watched folder
 * therefore also re-resolves both files, and a change of what they resolve to counts as a
 * change; the folders the files really live in are watched too, so an edit behind a link is seen.
 *
 * <p>Editors and config management write in bursts, so a reload waits until the files have
 * been quiet for the debounce period (see {@link Debounce}). It then reloads only if the
 * content differs from what was last loaded: a {@code touch} does nothing. What was loaded at
 * start is the fingerprint the config in force was read with ({@link Config#loadedFrom()}), not
 * what the files hold when the watcher starts: an update that lands while the appliance binds
 * its listeners is still applied. Every reload, whatever its trigger (SIGHUP too), must call
 * {@link #markLoaded} first so that the watcher knows what content is in force.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());
    static final long MAX_DELAY_MILLIS = 5_000;

    private final WatchService ws;
    private final Runnable reload;
    private final Debounce debounce;
    private final Map<Path, WatchKey> dirs = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile Path configFile;
    private volatile Path allowlistFile;
    private volatile List<Path> resolved = List.of();
    private SourceDigest loaded;
    private volatile boolean closed;
    /** For tests: events that counted, and whether a burst is still waiting to go quiet. */
    private volatile long hits;
    private volatile boolean pending;

    /**
     * Starts watching. If the files no longer hold what {@code loaded} says, that counts as a
     * change and reloads after the debounce period.
     *
     * @param loaded the fingerprint of the content in force ({@link Config#loadedFrom()})
     * @param reload runs on the watcher's thread when the content changed
     */
    public ConfigWatcher(Path configFile, Path allowlistFile, SourceDigest loaded, long debounceMillis, Runnable reload)
            throws IOException {
        this.ws = FileSystems.getDefault().newWatchService();
        this.reload = reload;
        this.debounce = new Debounce(debounceMillis, MAX_DELAY_MILLIS);
        follow(configFile, allowlistFile);
        synchronized (this) {
            this.loaded = loaded;
        }
        if (changedSinceLoaded()) {
            // changed between the load and the watch: no event will come for it
            debounce.hit(now());
            pending = true;
        }
        this.thread = new Thread(this::run, "lnm-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches these two files from now on (after a reload changed the allowlist path). */
    public synchronized void follow(Path config, Path allowlist) throws IOException {
        this.configFile = config.toAbsolutePath().normalize();
        this.allowlistFile = allowlist.toAbsolutePath().normalize();
        rewatch();
    }

    /** Resolves both files again and watches the folders of their names and of their targets. */
    private synchronized void rewatch() throws IOException {
        resolved = resolve();
        Set<Path> wanted = new LinkedHashSet<>();
        wanted.add(configFile.getParent());
        wanted.add(allowlistFile.getParent());
        for (Path real : resolved) {
            if (real != null) {
                wanted.add(real.getParent());
            }
        }
        wanted.remove(null);
        for (Path dir : new ArrayList<>(dirs.keySet())) {
            if (!wanted.contains(dir)) {
                dirs.remove(dir).cancel(); // an old ConfigMap payload folder, about to be deleted
            }
        }
        for (Path dir : wanted) {
            if (!dirs.containsKey(dir)) {
                dirs.put(dir, dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
            }
        }
    }

    /** The real path of each file, following every link; null for a file that is missing. */
    private List<Path> resolve() {
        List<Path> out = new ArrayList<>(2);
        for (Path p : new Path[] {configFile, allowlistFile}) {
            try {
                out.add(p.toRealPath());
            } catch (IOException e) {
                out.add(null);
            }
        }
        return out;
    }

    /** Records the files' current content as the one in force; call just before loading them. */
    public synchronized void markLoaded() {
        loaded = SourceDigest.of(configFile, allowlistFile);
    }

    private synchronized boolean changedSinceLoaded() {
        return !SourceDigest.of(configFile, allowlistFile).equals(loaded);
    }

    /** Whether an event names one of the files, by its configured name or by its real path. */
    private boolean names(Path dir, WatchEvent<?> ev) {
        if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
            return true; // events were lost: look at the content
        }
        Path p = dir.resolve((Path) ev.context()).toAbsolutePath().normalize();
        return p.equals(configFile) || p.equals(allowlistFile) || resolved.contains(p);
    }

    /** Whether what the files resolve to moved (a link swapped); if so, watches the new targets. */
    private boolean resolutionChanged() {
        if (Objects.equals(resolve(), resolved)) {
            return false;
        }
        try {
            rewatch();
        } catch (IOException e) {
            LOG.warning("config watch: cannot watch the new target of " + configFile + ": " + e.getMessage());
        }
        return true;
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    private void run() {
        try {
            while (!closed) {
                long wait = debounce.waitMillis(now());
                WatchKey key = wait < 0 ? ws.take() : ws.poll(wait, TimeUnit.MILLISECONDS);
                if (key != null) {
                    Path dir = (Path) key.watchable();
                    boolean linkMayHaveMoved = false;
                    boolean hit = false;
                    for (WatchEvent<?> ev : key.pollEvents()) {
                        hit |= names(dir, ev);
                        // a link swap is a rename (create); appends to a log in the folder are not
                        linkMayHaveMoved |= ev.kind() != StandardWatchEventKinds.ENTRY_MODIFY;
                    }
                    if (!key.reset() && dirs.remove(dir, key)) {
                        LOG.warning("config watch: " + dir + " is gone; changes there are no longer seen (SIGHUP still reloads)");
                    }
                    hit |= linkMayHaveMoved && resolutionChanged();
                    if (hit) {
                        debounce.hit(now());
                        pending = true;
                        hits++;
                    }
                }
                if (debounce.fire(now())) {
                    if (changedSinceLoaded()) {
                        LOG.info("config watch: " + configFile + " or " + allowlistFile + " changed; reloading");
                        try {
                            reload.run();
                        } catch (RuntimeException e) {
                            LOG.warning("config watch: reload failed: " + e);
                        }
                    }
                    pending = debounce.pending();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.severe("config watch stopped: " + e + " (SIGHUP still reloads)");
        }
    }

    /** For tests: how many events counted so far. */
    long hits() {
        return hits;
    }

    /** For tests: whether every counted event has been judged (and any reload it caused has run). */
    boolean quiet() {
        return !pending;
    }

    @Override
    public void close() {
        closed = true;
        try {
            ws.close();
        } catch (IOException ignored) {
            // nothing to release
        }
        thread.interrupt();
    }
}
