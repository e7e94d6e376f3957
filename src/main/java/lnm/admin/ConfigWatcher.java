package lnm.admin;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Reloads when {@code lnm.properties} or the allowlist changes on disk.
 *
 * <p>Watches the folders that hold the two files (a folder, not the file, so that editors that
 * save by writing a new file and renaming it over the old one are seen too) and ignores events
 * for other names, such as an audit log in the same folder. Editors and config management
 * write in bursts, so a reload waits until the files have been quiet for the debounce period
 * (but no longer than {@link #MAX_DELAY_MILLIS} after the first event). It then reloads only
 * if the content differs from what was last loaded: a {@code touch} does nothing. Every reload,
 * whatever its trigger (SIGHUP too), must call {@link #markLoaded} first so that the watcher
 * knows what content is in force.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());
    static final long MAX_DELAY_MILLIS = 5_000;

    private final WatchService ws;
    private final Runnable reload;
    private final long debounceMillis;
    private final Map<Path, WatchKey> dirs = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile Path configFile;
    private volatile Path allowlistFile;
    private volatile String loadedHash;
    private volatile boolean closed;

    /**
     * Starts watching; the files' current content counts as loaded.
     *
     * @param reload runs on the watcher's thread when the content changed
     */
    public ConfigWatcher(Path configFile, Path allowlistFile, long debounceMillis, Runnable reload) throws IOException {
        this.ws = FileSystems.getDefault().newWatchService();
        this.reload = reload;
        this.debounceMillis = debounceMillis;
        follow(configFile, allowlistFile);
        markLoaded();
        this.thread = new Thread(this::run, "lnm-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches these two files from now on (after a reload changed the allowlist path). */
    public void follow(Path config, Path allowlist) throws IOException {
        this.configFile = config.toAbsolutePath().normalize();
        this.allowlistFile = allowlist.toAbsolutePath().normalize();
        register(configFile.getParent());
        register(allowlistFile.getParent());
    }

    private void register(Path dir) throws IOException {
        if (dir == null || dirs.containsKey(dir)) {
            return;
        }
        WatchKey k = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        dirs.put(dir, k);
    }

    /** Records the files' current content as the one in force; call just before loading them. */
    public void markLoaded() {
        loadedHash = contentHash();
    }

    /** SHA-256 over both files (a missing file hashes as such, so its return is a change too). */
    String contentHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : new Path[] {configFile, allowlistFile}) {
                md.update(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try {
                    byte[] b = Files.readAllBytes(p);
                    md.update((byte) 1);
                    md.update(b);
                } catch (NoSuchFileException e) {
                    md.update((byte) 0);
                } catch (IOException e) {
                    md.update((byte) 2);
                    md.update(String.valueOf(e.getMessage()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private boolean relevant(Path dir, WatchEvent<?> ev) {
        if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
            return true; // events were lost: look at the content
        }
        Path p = dir.resolve((Path) ev.context()).toAbsolutePath().normalize();
        return p.equals(configFile) || p.equals(allowlistFile);
    }

    private void run() {
        long quietUntil = 0;
        long firstAt = 0;
        try {
            while (!closed) {
                long now = System.currentTimeMillis();
                WatchKey key = quietUntil == 0 ? ws.take() : ws.poll(Math.max(1, quietUntil - now), TimeUnit.MILLISECONDS);
                if (key != null) {
                    boolean hit = false;
                    Path dir = (Path) key.watchable();
                    for (WatchEvent<?> ev : key.pollEvents()) {
                        hit |= relevant(dir, ev);
                    }
                    if (!key.reset()) {
                        dirs.remove(dir);
                        LOG.warning("config watch: " + dir + " is gone; changes there are no longer seen (SIGHUP still reloads)");
                    }
                    if (hit) {
                        now = System.currentTimeMillis();
                        if (quietUntil == 0) {
                            firstAt = now;
                        }
                        quietUntil = Math.min(now + debounceMillis, firstAt + MAX_DELAY_MILLIS);
                    }
                }
                if (quietUntil != 0 && System.currentTimeMillis() >= quietUntil) {
                    quietUntil = 0;
                    if (!contentHash().equals(loadedHash)) {
                        LOG.info("config watch: " + configFile + " or " + allowlistFile + " changed; reloading");
                        try {
                            reload.run();
                        } catch (RuntimeException e) {
                            LOG.warning("config watch: reload failed: " + e);
                        }
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.severe("config watch stopped: " + e + " (SIGHUP still reloads)");
        }
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
