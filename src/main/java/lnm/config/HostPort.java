package lnm.config;

/**
 * A host (DNS name or IP literal, never resolved here) and a port.
 *
 * <p>{@code port} is -1 when the text named no port and the caller's default was -1; the
 * connecting code then uses the port the client connected to. IPv6 literals are stored without
 * brackets; {@link #toString()} adds them back.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port != -1 && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code v4:port}, {@code [v6]:port}, {@code [v6]} or a
     * bare IPv6 literal. Host names are validated and lowercased; IP literals are canonicalized.
     *
     * @param defaultPort the port when none is given (-1 for "none")
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static HostPort parse(String s, int defaultPort) {
        if (s == null || s.trim().isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        s = s.trim();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + s + "': missing ']'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + s + "': expected ':port' after ']'");
                }
                port = rest.substring(1);
            }
            byte[] v6 = IpLiteral.parseV6(host);
            if (v6 == null) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
            host = IpLiteral.format(v6);
        } else {
            int first = s.indexOf(':');
            if (first >= 0 && s.indexOf(':', first + 1) >= 0) {
                byte[] v6 = IpLiteral.parseV6(s);
                if (v6 == null) {
                    throw new IllegalArgumentException("'" + s + "' is not an IPv6 address (write [address]:port to add a port)");
                }
                return new HostPort(IpLiteral.format(v6), defaultPort);
            }
            host = first < 0 ? s : s.substring(0, first);
            port = first < 0 ? null : s.substring(first + 1);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("'" + s + "': missing host before ':'");
            }
            byte[] v4 = IpLiteral.parseV4(host);
            host = v4 != null ? IpLiteral.format(v4) : Names.hostName(host);
        }
        int p = port == null ? defaultPort : parsePort(port);
        return new HostPort(host, p);
    }

    /** Parses a decimal port 1-65535. */
    static int parsePort(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("missing port after ':'");
        }
        if (s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port '" + s + "' is not a number 1-65535");
        }
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is out of range 1-65535");
        }
        return p;
    }

    /** This with {@code fallback} as its port if it has none. */
    public HostPort withDefaultPort(int fallback) {
        return port == -1 ? new HostPort(host, fallback) : this;
    }

    /** {@code host:port}, {@code [v6]:port}, or just the host (IPv6 in brackets) when port is -1. */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == -1 ? h : h + ":" + port;
    }
}
