package lnm.fleet;

import java.util.Optional;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.Key;

/**
 * Where a box pulls its bundle from ({@code fleet.source}): {@code parent} means the host of
 * {@code parent} at {@link #DEFAULT_PORT}, the path traffic already takes upward; otherwise a
 * {@code host[:port]} written out.
 */
public final class FleetSource {
    /** The fleet port when {@code fleet.source = parent} or a host without a port is given. */
    public static final int DEFAULT_PORT = 8477;

    private FleetSource() {}

    /** The {@code fleet.source} value: empty, {@code parent} or a canonical host:port. */
    public static String normalize(String v) {
        if (v.isEmpty() || v.equalsIgnoreCase("parent")) {
            return v.toLowerCase(java.util.Locale.ROOT);
        }
        return HostPort.parse(v, DEFAULT_PORT).toString();
    }

    /** Whether the box pulls at all. */
    public static boolean pulls(Config c) {
        return !c.get(Key.FLEET_SOURCE).isEmpty();
    }

    /** The address to pull from now, or empty when {@code parent} is named but none is set. */
    public static Optional<HostPort> resolve(Config c) {
        String s = c.get(Key.FLEET_SOURCE);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (s.equals("parent")) {
            return c.parent().map(p -> new HostPort(p.host(), DEFAULT_PORT));
        }
        return Optional.of(HostPort.parse(s, DEFAULT_PORT));
    }
}
