package lnm.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The zones of {@code dns.forwardZones}: names at or below one of them, and only those, are
 * forwarded to {@code dns.upstream} when the allowlist does not answer them. Everything else
 * is REFUSED, so the built-in DNS server cannot carry a tunnel (a query for
 * {@code <data>.attacker.example} relayed to a plant resolver that reaches the internet).
 *
 * <p>{@code plant.local} covers {@code plant.local} itself and every name below it, at any
 * depth, never {@code otherplant.local}; matching ignores letter case and one trailing dot.
 */
public final class ForwardZones {
    /** No zones: nothing is forwarded. */
    public static final ForwardZones NONE = new ForwardZones(List.of());
    static final int MAX_ZONES = 64;

    private final List<String> zones;

    private ForwardZones(List<String> zones) {
        this.zones = List.copyOf(zones);
    }

    /**
     * Parses {@code zone, zone, ...} (empty: no zones).
     *
     * @throws IllegalArgumentException saying which entry is wrong and why
     */
    public static ForwardZones parse(String v) {
        if (v.isBlank()) {
            return NONE;
        }
        List<String> out = new ArrayList<>();
        for (String raw : v.split(",", -1)) {
            String e = raw.trim();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("empty entry");
            }
            if (e.startsWith("*")) {
                throw new IllegalArgumentException("'" + e + "': a zone covers every name below it already; write '"
                        + e.replaceFirst("^\\*\\.?", "") + "'");
            }
            if (e.equals(".")) {
                throw new IllegalArgumentException("'.' (the root) would forward every name; list the plant zones instead");
            }
            if (IpLiteral.parse(e) != null) {
                throw new IllegalArgumentException("'" + e + "' is an IP address, not a zone");
            }
            String n = Names.normalize(e);
            if (n == null) {
                throw new IllegalArgumentException("'" + e + "' is not a valid zone name " + Names.whyInvalid(e));
            }
            if (out.contains(n)) {
                throw new IllegalArgumentException("'" + e + "' is listed twice");
            }
            out.add(n);
        }
        if (out.size() > MAX_ZONES) {
            throw new IllegalArgumentException(out.size() + " zones, at most " + MAX_ZONES + " allowed");
        }
        return new ForwardZones(out);
    }

    public boolean isEmpty() {
        return zones.isEmpty();
    }

    /** The zones, normalized (lowercase, no trailing dot). */
    public List<String> zones() {
        return zones;
    }

    /** True if {@code name} is one of the zones or below one. */
    public boolean covers(String name) {
        String n = Names.normalize(name);
        if (n == null) {
            return false;
        }
        for (String z : zones) {
            if (n.equals(z) || (n.length() > z.length() && n.endsWith(z) && n.charAt(n.length() - z.length() - 1) == '.')) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(", ", zones);
    }
}
