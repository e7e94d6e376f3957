package lnm.fleet;

import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code lnm.properties} keys a bundle's {@code lnm.properties} may set for a box: policy
 * ({@code policy}: enforce or report, so a whole plant is switched from the top; who may connect, limits, timeouts, DNS answers and forwarding, which ports CONNECT and HTTP
 * may name, audit rotation). Everything that makes the box what it is stays on the box:
 * {@code name}, {@code level}, every listener, {@code admin.listen}, {@code dns.listen},
 * {@code dns.answer} (its own addresses), {@code parent} (the path a bundle arrives on), paths
 * on its disk ({@code allowlist}, {@code audit.file}), {@code loop.threads} (its hardware) and
 * every {@code fleet.*} key, so that no bundle can cut a box off from its fleet or from the
 * trust it checks bundles with. A key not listed here is refused: new keys stay local until
 * they are added.
 */
public final class FromAbove {
    static final Set<String> KEYS = Set.of("policy", "sources",
            "timeouts.helloSeconds", "timeouts.connectSeconds", "timeouts.idleSeconds",
            "limits.helloMaxBytes", "limits.maxConnections", "limits.perSourceConnections", "limits.perSourceRate",
            "limits.ipv6PrefixLength",
            "dns.cacheSeconds", "dns.ttl", "dns.upstream", "dns.sources", "dns.audit", "dns.rateLimit",
            "dns.upstreamTimeoutSeconds", "dns.forwardZones",
            "direct.allowPrivate", "direct.allowSpecialAddresses", "limits.headBytes", "tls.ech", "audit.maxBytes", "audit.keep", "shutdown.drainSeconds",
            "connect.ports", "http.ports", "http.connect.requireMatchingSni");

    private FromAbove() {}

    static boolean allowed(String key) {
        return KEYS.contains(key);
    }

    static String whyNot() {
        return "a bundle may set only " + String.join(", ", new TreeSet<>(KEYS));
    }
}
