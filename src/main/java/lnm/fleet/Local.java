package lnm.fleet;

import java.util.List;

import lnm.config.Config;

/** What the fleet needs from the running appliance (implemented by the composition root). */
public interface Local {
    /** The config in force. */
    Config config();

    /** Reloads through the same path as a local edit; the problems, empty when applied. */
    List<String> reload();

    /** ready, not ready or draining. */
    String health();

    long startedAt();

    String version();

    /** Connections handled since start, allowed and denied. */
    long connections();

    long denied();

    /** The most denied names, most first. */
    List<Report.NameCount> topDenied(int n);
}
