package lnm.config;

/**
 * DNS name rules shared by allowlist patterns, SNI matching and host names in host[:port].
 *
 * <p>Labels are ASCII letters, digits, hyphen and underscore (underscore because service names
 * such as {@code _mqtt._tcp} exist), 1-63 characters; a name is at most 253 characters. Names
 * compare case-insensitively and one trailing dot (the absolute form) is dropped.
 */
public final class Names {
    static final int MAX_NAME = 253;
    static final int MAX_LABEL = 63;

    private Names() {}

    /**
     * The lowercase name without one trailing dot, or null if it is not a valid DNS name.
     * This is the hot path for every connection's SNI: one pass, no regex, no allocation
     * beyond the result (none at all when the name is already normalized).
     */
    public static String normalize(String name) {
        if (name == null) {
            return null;
        }
        int n = name.length();
        if (n > 0 && name.charAt(n - 1) == '.') {
            n--;
        }
        if (n == 0 || n > MAX_NAME) {
            return null;
        }
        boolean lower = true;
        int label = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0) {
                    return null;
                }
                label = 0;
                continue;
            }
            if (++label > MAX_LABEL) {
                return null;
            }
            if (c >= 'A' && c <= 'Z') {
                lower = false;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return null;
            }
        }
        if (label == 0) {
            return null;
        }
        String s = n == name.length() ? name : name.substring(0, n);
        return lower ? s : toLowerAscii(s);
    }

    static String toLowerAscii(String s) {
        char[] cs = s.toCharArray();
        for (int i = 0; i < cs.length; i++) {
            if (cs[i] >= 'A' && cs[i] <= 'Z') {
                cs[i] = (char) (cs[i] + ('a' - 'A'));
            }
        }
        return new String(cs);
    }

    /** True if every label is all digits: an IPv4-looking name that no DNS zone can have. */
    static boolean allNumeric(String normalized) {
        for (String label : normalized.split("\\.")) {
            for (int i = 0; i < label.length(); i++) {
                if (label.charAt(i) < '0' || label.charAt(i) > '9') {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Validates a host name (not an IP literal) and returns it normalized.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static String hostName(String host) {
        String n = normalize(host);
        if (n == null) {
            throw new IllegalArgumentException("'" + host + "' is not a valid host name " + whyInvalid(host));
        }
        if (allNumeric(n)) {
            throw new IllegalArgumentException("'" + host + "' is not a valid IPv4 address");
        }
        return n;
    }

    /**
     * Validates an allowlist pattern, {@code name} or {@code *.suffix}, and returns it normalized.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String pattern(String p) {
        if (p.isEmpty()) {
            throw new IllegalArgumentException("empty pattern");
        }
        if (p.equals("*") || p.equals("*.")) {
            throw new IllegalArgumentException("'*' alone would allow every name; use '*.example.com'");
        }
        if (IpLiteral.parse(p) != null || (p.startsWith("[") && p.endsWith("]"))) {
            throw new IllegalArgumentException("'" + p + "' is an IP literal; TLS clients send host names, so allowlist names");
        }
        boolean wildcard = p.startsWith("*.");
        String rest = wildcard ? p.substring(2) : p;
        if (rest.indexOf('*') >= 0) {
            throw new IllegalArgumentException("'" + p + "': '*' is allowed only as the whole first label, as in '*.example.com'");
        }
        String n = normalize(rest);
        if (n == null) {
            throw new IllegalArgumentException("'" + p + "' is not a valid name " + whyInvalid(rest));
        }
        if (allNumeric(n)) {
            throw new IllegalArgumentException("'" + p + "' looks like an IP address; allowlist host names");
        }
        if (wildcard && n.length() + 2 > MAX_NAME) {
            throw new IllegalArgumentException("'" + p + "' is longer than " + MAX_NAME + " characters");
        }
        return wildcard ? "*." + n : n;
    }

    /** A short explanation of why {@link #normalize} refused a name, for error messages. */
    static String whyInvalid(String name) {
        String s = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (s.isEmpty()) {
            return "(empty)";
        }
        if (s.length() > MAX_NAME) {
            return "(longer than " + MAX_NAME + " characters)";
        }
        int label = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (label == 0) {
                    return "(empty label)";
                }
                label = 0;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return "(character '" + c + "' is not allowed; use letters, digits, '-' and '_')";
            } else if (++label > MAX_LABEL) {
                return "(a label is longer than " + MAX_LABEL + " characters)";
            }
        }
        if (label == 0) {
            return "(empty label)";
        }
        return "";
    }
}
