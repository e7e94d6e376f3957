package lnm.side;

import java.net.InetAddress;
import java.util.Set;

import lnm.config.CidrSet;

/**
 * Who may use a side port and how much, read from the config in force at each accept (so a
 * reload applies without rebinding).
 *
 * @param sources clients that may connect
 * @param loopbackAlways whether loopback clients are admitted whatever {@code sources} says (the
 *     admin port: the box's own readiness script and an operator's SSH tunnel)
 * @param perSourceConnections connections one source may hold at once
 * @param perSourceRate new connections a second per source (bursts of twice that), 0 for no limit
 * @param ipv6PrefixLength IPv6 clients within one prefix of this length count as one source
 * @param hosts null: any {@code Host}; else the names a {@code Host} header may carry besides IP
 *     literals and {@code localhost} (lowercase), against DNS rebinding
 */
public record SideRules(CidrSet sources, boolean loopbackAlways, int perSourceConnections, int perSourceRate,
        int ipv6PrefixLength, Set<String> hosts) {

    /** Whether {@code client} may connect. */
    boolean admits(InetAddress client) {
        return (loopbackAlways && client.isLoopbackAddress()) || sources.contains(client);
    }
}
