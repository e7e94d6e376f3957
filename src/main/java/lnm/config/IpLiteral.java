package lnm.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Hand-written IPv4 / IPv6 literal parsing and formatting.
 *
 * <p>Exists so that nothing in this package ever asks the resolver: {@code InetAddress.getByName}
 * on a string that merely looks wrong would send a DNS query from a config check. Addresses are
 * parsed to bytes here and turned into {@link InetAddress} with {@code getByAddress}.
 */
public final class IpLiteral {
    private IpLiteral() {}

    /** Bytes of a dotted-quad IPv4 literal, or null. Leading zeros are refused: some tools read them as octal. */
    static byte[] parseV4(String s) {
        if (s == null || s.isEmpty() || s.length() > 15) {
            return null;
        }
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        int n = s.length();
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return null;
                }
            }
            int len = i - start;
            if (len == 0 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) value;
            if (i == n) {
                return part == 4 ? out : null;
            }
            if (s.charAt(i) != '.' || part == 4) {
                return null;
            }
            i++;
        }
    }

    /** Bytes of an IPv6 literal without brackets or zone (RFC 4291 text forms), or null. */
    static byte[] parseV6(String s) {
        if (s == null || s.length() < 2 || s.length() > 45 || s.indexOf(':') < 0) {
            return null;
        }
        int dc = s.indexOf("::");
        if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) {
            return null;
        }
        String head = dc < 0 ? s : s.substring(0, dc);
        String tail = dc < 0 ? "" : s.substring(dc + 2);
        byte[] headBytes = groups(head, dc < 0);
        byte[] tailBytes = groups(tail, true);
        if (headBytes == null || tailBytes == null) {
            return null;
        }
        int total = headBytes.length + tailBytes.length;
        if (dc < 0 ? total != 16 : total > 14) {
            return null;
        }
        byte[] out = new byte[16];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(tailBytes, 0, out, 16 - tailBytes.length, tailBytes.length);
        return out;
    }

    /** Parses colon-separated hex groups; the last may be a dotted IPv4 address if {@code v4Last}. */
    private static byte[] groups(String s, boolean v4Last) {
        if (s.isEmpty()) {
            return new byte[0];
        }
        String[] parts = s.split(":", -1);
        byte[] out = new byte[parts.length * 2 + 2];
        int len = 0;
        for (int p = 0; p < parts.length; p++) {
            String g = parts[p];
            if (v4Last && p == parts.length - 1 && g.indexOf('.') >= 0) {
                byte[] v4 = parseV4(g);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, len, 4);
                len += 4;
                continue;
            }
            if (g.isEmpty() || g.length() > 4) {
                return null;
            }
            int v = 0;
            for (int i = 0; i < g.length(); i++) {
                int d = Character.digit(g.charAt(i), 16);
                if (d < 0 || g.charAt(i) > 'f') {
                    return null;
                }
                v = (v << 4) | d;
            }
            out[len++] = (byte) (v >>> 8);
            out[len++] = (byte) v;
        }
        if (len > 16) {
            return null;
        }
        byte[] exact = new byte[len];
        System.arraycopy(out, 0, exact, 0, len);
        return exact;
    }

    /** IPv4 or IPv6 literal (no brackets), or null. */
    static byte[] parse(String s) {
        byte[] b = parseV4(s);
        return b != null ? b : parseV6(s);
    }

    /**
     * The address an IPv4 or IPv6 literal names ({@code [v6]} brackets allowed, no zone), or null
     * for anything else, without ever asking a resolver. The one reading of an address literal
     * in lnm: the config, the DNS server, the resolver and the command line all use it, so a form
     * refused here (such as {@code 010.0.0.1}) is refused everywhere.
     */
    public static InetAddress address(String s) {
        if (s != null && s.length() > 2 && s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        byte[] b = parse(s);
        return b == null ? null : toInet(b);
    }

    /**
     * Whether {@code s} is made of digits and dots only, as an IPv4 literal is: such a string
     * is never a host name (no top-level domain is all digits), so one that is not a valid
     * literal ({@code 010.0.0.1}, {@code 1.2.3}) is refused rather than looked up, where
     * some resolvers would read it as octal or fill in missing parts.
     */
    public static boolean looksLikeV4(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code s} is an IPv4 or IPv6 literal (no brackets, no zone). */
    public static boolean isLiteral(String s) {
        return parse(s) != null;
    }

    /** True if the bytes are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
    static boolean isMapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** The address without asking any resolver (getByAddress never looks names up). */
    static InetAddress toInet(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + b.length, e);
        }
    }

    /** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run compressed). */
    static String format(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        if (isMapped(b)) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952: a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** Canonical text of an address, without reverse lookups. */
    public static String format(InetAddress a) {
        return format(a.getAddress());
    }

    /**
     * {@code a.b.c.d:port} or {@code [v6]:port}, in canonical text and without any lookup: the
     * one way lnm writes a socket address (logs, audit records, {@code lnm check}). An
     * IPv4-mapped address, which a dual-stack socket reports for an IPv4 peer, is written as
     * IPv4; an unresolved address as its host string.
     */
    public static String format(InetSocketAddress s) {
        InetAddress a = s.getAddress();
        String h = a == null ? s.getHostString() : format(unmapped(a));
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + s.getPort();
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 address; any other unchanged. */
    public static InetAddress unmapped(InetAddress a) {
        byte[] b = a.getAddress();
        return isMapped(b) ? toInet(new byte[] {b[12], b[13], b[14], b[15]}) : a;
    }
}
