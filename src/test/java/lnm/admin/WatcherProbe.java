package lnm.admin;

/**
 * What the config watcher of a running appliance has judged, for tests outside this package:
 * they wait for it instead of sleeping past the watcher's quiet period.
 */
public final class WatcherProbe {
    private WatcherProbe() {
    }

    /** File events that counted so far (0 when no watcher runs). */
    public static long hits(Admin admin) {
        ConfigWatcher w = admin.watcher();
        return w == null ? 0 : w.hits();
    }

    /**
     * Whether an event counted after {@code hits} and every counted event has been judged (and
     * any reload it caused has run).
     */
    public static boolean judgedSince(Admin admin, long hits) {
        ConfigWatcher w = admin.watcher();
        return w != null && w.hits() > hits && w.quiet();
    }
}
