package lnm.http;

import java.util.Locale;

/** {@code host[:port]}: a DNS-style name, an IPv4 literal or a bracketed IPv6 literal; no userinfo. */
record Authority(String host, int port) {
    private static final int MAX_NAME = 253;

    int portOr(int fallback) {
        return port < 0 ? fallback : port;
    }

    /** The authority, lowercased, one trailing dot dropped; null if it is not one. */
    static Authority parse(String s) {
        String host;
        String rest;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 3) {
                return null;
            }
            host = s.substring(1, close);
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                    return null;
                }
            }
            if (host.indexOf(':') < 0) {
                return null;
            }
            rest = s.substring(close + 1);
        } else {
            int colon = s.indexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            rest = colon < 0 ? "" : s.substring(colon);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (host.isEmpty() || host.length() > MAX_NAME) {
                return null;
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_';
                if (!ok || (c == '.' && (i == 0 || host.charAt(i - 1) == '.'))) {
                    return null;
                }
            }
        }
        int port = -1;
        if (!rest.isEmpty()) {
            if (rest.charAt(0) != ':' || rest.length() < 2 || rest.length() > 6) {
                return null;
            }
            port = 0;
            for (int i = 1; i < rest.length(); i++) {
                char c = rest.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                port = port * 10 + (c - '0');
            }
            if (port < 1 || port > 65535) {
                return null;
            }
        }
        return new Authority(host.toLowerCase(Locale.ROOT), port);
    }
}
