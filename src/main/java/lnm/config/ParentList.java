package lnm.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The values of the {@code parent.*} keys: the list of parents, how connections spread over
 * them ({@code parent.balance}) and how they are checked in the background
 * ({@code parent.check}). Parsers throw {@link IllegalArgumentException} with a short reason;
 * {@link Key} adds file, line and what is allowed.
 */
public final class ParentList {
    /** At most this many parents: each one is checked in the background. */
    public static final int MAX = 16;

    private ParentList() {}

    /** {@code host[:port], host[:port], ...} in the order written; null when empty (top level). */
    static List<HostPort> parse(String v) {
        if (v.isEmpty()) {
            return null;
        }
        List<HostPort> out = entries(v);
        if (out.size() > MAX) {
            throw new IllegalArgumentException(out.size() + " parents, at most " + MAX + " allowed");
        }
        return List.copyOf(out);
    }

    /**
     * The entries of a comma-separated {@code host[:port]} list in the order written (a missing
     * port is -1), refusing empty and repeated entries; for {@code parent} and {@code egress.proxy}.
     */
    static List<HostPort> entries(String v) {
        List<HostPort> out = new ArrayList<>();
        for (String raw : v.split(",", -1)) {
            String e = raw.trim();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("empty entry");
            }
            HostPort hp = HostPort.parse(e, -1);
            if (out.contains(hp)) {
                throw new IllegalArgumentException("'" + e + "' is listed twice");
            }
            out.add(hp);
        }
        return out;
    }

    static String format(List<HostPort> l) {
        return l == null ? "" : String.join(", ", l.stream().map(HostPort::toString).toList());
    }

    /** {@code parent.balance}. */
    public enum Balance {
        /** The first healthy parent in the order written; the others only when it is down. */
        FAILOVER,
        /** Each connection starts at the next healthy parent. */
        ROUND_ROBIN;

        static Balance parse(String v) {
            switch (v.toLowerCase(Locale.ROOT)) {
                case "failover": return FAILOVER;
                case "round-robin": return ROUND_ROBIN;
                default: throw new IllegalArgumentException("unknown balance");
            }
        }

        @Override
        public String toString() {
            return this == FAILOVER ? "failover" : "round-robin";
        }
    }

    /**
     * {@code parent.check}: the active check run against each parent in the background.
     *
     * @param kind tcp, http or off
     * @param port the port to check; -1 for tcp means the parent's own port (or the first
     *     listener's when the parent names none)
     * @param path for http, the path asked for ({@code /readyz} by default)
     */
    public record Check(Kind kind, int port, String path) {
        /** What an active check does. */
        public enum Kind { TCP, HTTP, OFF }

        static Check parse(String v) {
            String s = v.toLowerCase(Locale.ROOT);
            if (s.equals("off")) {
                return new Check(Kind.OFF, -1, null);
            }
            if (s.equals("tcp")) {
                return new Check(Kind.TCP, -1, null);
            }
            if (s.startsWith("tcp:")) {
                return new Check(Kind.TCP, HostPort.parsePort(v.substring(4)), null);
            }
            if (s.startsWith("http:")) {
                String rest = v.substring(5);
                int slash = rest.indexOf('/');
                int port = HostPort.parsePort(slash < 0 ? rest : rest.substring(0, slash));
                String path = slash < 0 ? "/readyz" : rest.substring(slash);
                if (!path.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    throw new IllegalArgumentException("the path may hold only visible ASCII characters");
                }
                return new Check(Kind.HTTP, port, path);
            }
            throw new IllegalArgumentException("unknown check");
        }

        @Override
        public String toString() {
            switch (kind) {
                case OFF: return "off";
                case TCP: return port < 0 ? "tcp" : "tcp:" + port;
                default: return "http:" + port + path;
            }
        }
    }
}
