package lnm.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable set of IPv4 and IPv6 CIDR ranges, such as {@code sources = 10.3.0.0/16, ::1}.
 *
 * <p>A bare address is a /32 or /128. IPv4-mapped IPv6 addresses ({@code ::ffff:10.3.0.7}, what a
 * dual-stack socket reports for an IPv4 client) match IPv4 ranges, and mapped ranges given in
 * the config are stored as the IPv4 ranges they mean. Ranges with host bits set
 * ({@code 10.3.0.1/16}) are refused: they are usually a typo, and guessing is worse than asking.
 */
public final class CidrSet {
    private static final CidrSet ANY = new CidrSet(true, new int[0], new int[0], new long[0], List.of(), "any");
    private static final CidrSet NONE = new CidrSet(false, new int[0], new int[0], new long[0], List.of(), "none");

    private final boolean any;
    // IPv4: network and mask per range. IPv6: {hi, lo, maskHi, maskLo} per range.
    private final int[] v4net;
    private final int[] v4mask;
    private final long[] v6;
    private final List<String> entries;
    private final String text;

    private CidrSet(boolean any, int[] v4net, int[] v4mask, long[] v6, List<String> entries, String text) {
        this.any = any;
        this.v4net = v4net;
        this.v4mask = v4mask;
        this.v6 = v6;
        this.entries = entries;
        this.text = text;
    }

    /** Every address. */
    public static CidrSet any() {
        return ANY;
    }

    /** No address. */
    public static CidrSet none() {
        return NONE;
    }

    /**
     * Parses a comma-separated list of CIDRs or addresses; {@code any} and {@code none} are
     * accepted as the whole value.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static CidrSet parse(String csv) {
        if (csv == null || csv.trim().isEmpty()) {
            throw new IllegalArgumentException("empty list; expected CIDRs such as 10.3.0.0/16, ::1, or any / none");
        }
        String whole = csv.trim();
        if (whole.equalsIgnoreCase("any")) {
            return ANY;
        }
        if (whole.equalsIgnoreCase("none")) {
            return NONE;
        }
        Set<String> canon = new LinkedHashSet<>();
        List<Integer> nets = new ArrayList<>();
        List<Integer> masks = new ArrayList<>();
        List<Long> six = new ArrayList<>();
        boolean v4all = false;
        boolean v6all = false;
        for (String raw : whole.split(",", -1)) {
            String e = raw.trim();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("empty entry in '" + whole + "'");
            }
            if (e.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("bad CIDR '" + e + "': separate entries with commas");
            }
            String addr = e;
            int prefix = -1;
            int slash = e.indexOf('/');
            if (slash >= 0) {
                addr = e.substring(0, slash);
                String p = e.substring(slash + 1);
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("bad CIDR '" + e + "': prefix length '" + p + "' is not a number");
                }
                prefix = Integer.parseInt(p);
            }
            if (addr.startsWith("[") && addr.endsWith("]")) {
                addr = addr.substring(1, addr.length() - 1);
            }
            byte[] b = IpLiteral.parse(addr);
            if (b == null) {
                throw new IllegalArgumentException("bad CIDR '" + e + "': '" + addr + "' is not an IPv4 or IPv6 address");
            }
            int max = b.length * 8;
            if (prefix > max) {
                throw new IllegalArgumentException("bad CIDR '" + e + "': prefix length must be 0-" + max);
            }
            if (prefix < 0) {
                prefix = max;
            }
            if (b.length == 16 && IpLiteral.isMapped(b) && prefix >= 96) {
                b = new byte[] {b[12], b[13], b[14], b[15]};
                prefix -= 96;
            }
            if (!hostBitsClear(b, prefix)) {
                byte[] net = b.clone();
                clearHostBits(net, prefix);
                throw new IllegalArgumentException("bad CIDR '" + e + "': host bits are set; did you mean "
                        + IpLiteral.format(net) + "/" + prefix + "?");
            }
            String c = IpLiteral.format(b) + (prefix == b.length * 8 ? "" : "/" + prefix);
            if (!canon.add(c)) {
                continue;
            }
            if (b.length == 4) {
                nets.add(toInt(b));
                masks.add(prefix == 0 ? 0 : -1 << (32 - prefix));
                v4all |= prefix == 0;
            } else {
                long hi = toLong(b, 0);
                long lo = toLong(b, 8);
                six.add(hi);
                six.add(lo);
                six.add(prefix == 0 ? 0L : prefix >= 64 ? -1L : -1L << (64 - prefix));
                six.add(prefix <= 64 ? 0L : prefix == 128 ? -1L : -1L << (128 - prefix));
                v6all |= prefix == 0;
            }
        }
        int[] n4 = nets.stream().mapToInt(Integer::intValue).toArray();
        int[] m4 = masks.stream().mapToInt(Integer::intValue).toArray();
        long[] a6 = six.stream().mapToLong(Long::longValue).toArray();
        List<String> list = List.copyOf(canon);
        return new CidrSet(v4all && v6all, n4, m4, a6, list, String.join(", ", list));
    }

    /** True if the address is inside one of the ranges. Null is never contained (except by {@link #any()}). */
    public boolean contains(InetAddress a) {
        if (any) {
            return true;
        }
        if (a == null) {
            return false;
        }
        byte[] b = a.getAddress();
        if (b.length == 16 && IpLiteral.isMapped(b)) {
            b = new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (b.length == 4) {
            int x = toInt(b);
            for (int i = 0; i < v4net.length; i++) {
                if ((x & v4mask[i]) == v4net[i]) {
                    return true;
                }
            }
            return false;
        }
        long hi = toLong(b, 0);
        long lo = toLong(b, 8);
        for (int i = 0; i < v6.length; i += 4) {
            if ((hi & v6[i + 2]) == v6[i] && (lo & v6[i + 3]) == v6[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** True if every IPv4 and IPv6 address is contained. */
    public boolean isAny() {
        return any;
    }

    /** True if no address is contained. */
    public boolean isEmpty() {
        return !any && v4net.length == 0 && v6.length == 0;
    }

    /** The canonical ranges in the order given (empty for {@link #any()} and {@link #none()}). */
    public List<String> entries() {
        return entries;
    }

    /** {@code any}, {@code none}, or the canonical ranges joined by ", " (parses back to an equal set). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CidrSet c && c.any == any && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static boolean hostBitsClear(byte[] b, int prefix) {
        byte[] c = b.clone();
        clearHostBits(c, prefix);
        return Arrays.equals(b, c);
    }

    private static void clearHostBits(byte[] b, int prefix) {
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            b[i] &= (byte) (0xff00 >>> keep);
        }
    }

    private static int toInt(byte[] b) {
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static long toLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}
