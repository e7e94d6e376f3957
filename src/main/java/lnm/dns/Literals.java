package lnm.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Recognises IP address literals without ever asking DNS. */
public final class Literals {
    private Literals() {}

    /** The address if {@code s} is an IPv4 dotted quad or an IPv6 literal (brackets allowed), else null. */
    public static InetAddress parse(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        byte[] v4 = ipv4(s);
        if (v4 != null) {
            return byAddress(v4);
        }
        if (s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            // Only hex digits, colons and dots: InetAddress treats this as a literal, never a lookup.
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
