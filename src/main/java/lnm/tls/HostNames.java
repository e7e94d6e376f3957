package lnm.tls;

/**
 * Validation and normalisation of the host_name an SNI extension carries.
 *
 * <p>The allowlist matches DNS names, so anything that is not a plain DNS host name is refused
 * before it reaches matching: RFC 6066 forbids IP literals in SNI, and a client that sends one
 * (or a name with odd bytes) is either broken or probing how the proxy compares names.
 * Underscores are accepted because real service names use them ({@code _dmarc}, some CDNs).
 */
final class HostNames {
    /** Longest name in presentation form without the trailing dot (RFC 1035: 255 octets on the wire). */
    static final int MAX_NAME = 253;
    static final int MAX_LABEL = 63;

    private HostNames() {}

    /**
     * Why {@code raw} is not an acceptable host name, or {@code null} when it is.
     * One trailing dot (the absolute form) is allowed.
     */
    static String problem(byte[] raw) {
        int n = raw.length;
        for (int i = 0; i < n; i++) {
            if ((raw[i] & 0x80) != 0) {
                return "non-ASCII byte 0x" + Integer.toHexString(raw[i] & 0xff) + " at " + i;
            }
        }
        if (n > 0 && raw[n - 1] == '.') {
            n--;
        }
        if (n == 0) {
            return "name is only a dot";
        }
        if (n > MAX_NAME) {
            return "name of " + n + " chars is longer than " + MAX_NAME;
        }
        if (raw[0] == '[' || indexOf(raw, n, ':') >= 0) {
            return "IPv6 literal";
        }
        int labelStart = 0;
        boolean lastLabelNumeric = true;
        for (int i = 0; i <= n; i++) {
            if (i == n || raw[i] == '.') {
                int len = i - labelStart;
                if (len == 0) {
                    return "empty label at " + labelStart;
                }
                if (len > MAX_LABEL) {
                    return "label of " + len + " chars at " + labelStart + " is longer than " + MAX_LABEL;
                }
                if (raw[labelStart] == '-' || raw[i - 1] == '-') {
                    return "label at " + labelStart + " starts or ends with a hyphen";
                }
                lastLabelNumeric = true;
                for (int j = labelStart; j < i; j++) {
                    lastLabelNumeric &= raw[j] >= '0' && raw[j] <= '9';
                }
                labelStart = i + 1;
            } else if (!hostChar(raw[i])) {
                return "character 0x" + Integer.toHexString(raw[i]) + " at " + i + " is not allowed in a host name";
            }
        }
        // An all-digit top label is how IPv4 literals (10.1.2.3, and shorthands like 10.1 or
        // 167772161 that resolvers accept) look; no real TLD is numeric.
        if (lastLabelNumeric) {
            return "IP literal (last label is all digits)";
        }
        return null;
    }

    /** The name lowercased (ASCII only, so locale-independent) without one trailing dot. */
    static String normalize(byte[] raw) {
        int n = raw.length;
        if (n > 0 && raw[n - 1] == '.') {
            n--;
        }
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            int c = raw[i] & 0x7f;
            out[i] = (char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        return new String(out);
    }

    private static boolean hostChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_';
    }

    private static int indexOf(byte[] raw, int n, char c) {
        for (int i = 0; i < n; i++) {
            if (raw[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
