package lnm.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The value of {@code egress.proxy.bypass}: the destinations that go out directly although
 * {@code egress.proxy} is set. Names are written as allowlist patterns ({@code name} or
 * {@code *.suffix}, matched the same way: case-insensitive, one trailing dot ignored, a wildcard
 * never matching the suffix itself); addresses and CIDRs ({@code 10.0.0.0/8}, {@code fd00::/8})
 * match a destination written as an IP literal. A name is never resolved to be judged against
 * the CIDRs: with the proxy in the way lnm does not resolve the names it sends there.
 */
public final class EgressBypass {
    /** At most this many entries. */
    public static final int MAX = 256;
    /** Nothing bypasses the proxy. */
    public static final EgressBypass NONE = new EgressBypass(Set.of(), List.of(), CidrSet.none(), "");

    private final Set<String> exact;
    /** Suffixes with their leading dot ({@code .corp.local} for {@code *.corp.local}). */
    private final List<String> suffixes;
    private final CidrSet cidrs;
    private final String text;

    private EgressBypass(Set<String> exact, List<String> suffixes, CidrSet cidrs, String text) {
        this.exact = exact;
        this.suffixes = suffixes;
        this.cidrs = cidrs;
        this.text = text;
    }

    /** Comma-separated names, {@code *.suffix} patterns, addresses and CIDRs; empty for none. */
    static EgressBypass parse(String v) {
        if (v.isEmpty()) {
            return NONE;
        }
        Set<String> exact = new LinkedHashSet<>();
        List<String> suffixes = new ArrayList<>();
        List<String> cidrs = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        String[] parts = v.split(",", -1);
        if (parts.length > MAX) {
            throw new IllegalArgumentException(parts.length + " entries, at most " + MAX + " allowed");
        }
        for (String raw : parts) {
            String e = raw.trim();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("empty entry");
            }
            if (e.indexOf('/') >= 0 || e.indexOf(':') >= 0 || IpLiteral.looksLikeV4(e)) {
                CidrSet.parse(e); // says what is wrong with a bad one
                cidrs.add(e);
                shown.add(e);
                continue;
            }
            String p = Names.pattern(e);
            if (p.startsWith("*.")) {
                suffixes.add(p.substring(1));
            } else {
                exact.add(p);
            }
            shown.add(p);
        }
        CidrSet set = cidrs.isEmpty() ? CidrSet.none() : CidrSet.parse(String.join(", ", cidrs));
        return new EgressBypass(Set.copyOf(exact), List.copyOf(suffixes), set, String.join(", ", shown));
    }

    /**
     * Whether {@code host} goes out directly: a name matching an entry, or an IP literal inside
     * one of the CIDRs.
     */
    public boolean bypasses(String host) {
        if (text.isEmpty() || host == null) {
            return false;
        }
        InetAddress a = IpLiteral.address(host);
        if (a != null) {
            return cidrs.contains(a);
        }
        String n = Names.normalize(host);
        if (n == null) {
            return false;
        }
        if (exact.contains(n)) {
            return true;
        }
        for (String s : suffixes) {
            if (n.endsWith(s)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
