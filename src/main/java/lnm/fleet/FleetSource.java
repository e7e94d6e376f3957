package lnm.fleet;

import java.io.IOException;
import java.util.List;

import lnm.config.Config;
import lnm.config.FleetValues;
import lnm.config.HostPort;
import lnm.config.Key;

/**
 * Where a box pulls its bundle from ({@code fleet.source}): {@code parent} means the host of
 * {@code parent} at {@link #DEFAULT_PORT}, the path traffic already takes upward; otherwise a
 * {@code host[:port]} written out. With several parents a pull goes to the first that answers,
 * in their configured order, so a box keeps its fleet path while any parent is up.
 */
public final class FleetSource {
    /** The fleet port when {@code fleet.source = parent} or a host without a port is given. */
    public static final int DEFAULT_PORT = FleetValues.DEFAULT_PORT;

    private FleetSource() {}

    /** Whether the box pulls at all. */
    public static boolean pulls(Config c) {
        return !c.get(Key.FLEET_SOURCE).isEmpty();
    }

    /** Every address to pull from, in the order to try: each parent, or the one host written out. */
    static List<HostPort> all(Config c) {
        String s = c.get(Key.FLEET_SOURCE);
        if (s.isEmpty()) {
            return List.of();
        }
        if (s.equals("parent")) {
            return c.parents().stream().map(p -> new HostPort(p.host(), DEFAULT_PORT)).toList();
        }
        return List.of(HostPort.parse(s, DEFAULT_PORT));
    }

    /**
     * Posts a pull to the first source that answers, trying {@link #all} in order.
     *
     * @throws IOException naming every source tried, when none answered
     */
    static FleetHttp.Response post(List<HostPort> sources, List<String> via, byte[] body, int timeoutMillis) throws IOException {
        StringBuilder errors = new StringBuilder();
        for (HostPort to : sources) {
            try {
                return FleetHttp.post(to, via, body, timeoutMillis);
            } catch (IOException e) {
                errors.append(errors.length() == 0 ? "" : "; ").append(to).append(": ").append(e.getMessage());
            }
        }
        throw new IOException(errors.toString());
    }
}
