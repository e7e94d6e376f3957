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
        if (s.indexOf(':') >= 0 && ipv6Chars(s)) {
            // Only hex digits, colons and dots: InetAddress treats this as a literal, never a lookup.
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /** The four bytes of a dotted quad (1-3 decimal digits per part, each at most 255), else null. */
    static byte[] ipv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && part < 3) {
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        if (part != 3 || digits == 0) {
            return null;
        }
        out[3] = (byte) value;
        return out;
    }

    private static boolean ipv6Chars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
