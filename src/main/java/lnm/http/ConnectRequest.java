package lnm.http;

import java.nio.charset.StandardCharsets;

/**
 * The request lnm sends an HTTP proxy to open a tunnel (RFC 9110 9.3.6):
 * {@code CONNECT host:port HTTP/1.1}, the same authority in {@code Host}, and Basic credentials
 * in {@code Proxy-Authorization} when the proxy needs them. The name, not an address, goes to
 * the proxy, so its own name rules apply to what a device asked for.
 */
public final class ConnectRequest {
    /** Longest host accepted: a DNS name (253) or an IPv6 literal with its zone, well inside. */
    private static final int MAX_HOST = 253;

    private ConnectRequest() {}

    /**
     * The request's bytes.
     *
     * @param host a DNS name or an IP literal (an IPv6 literal is bracketed here)
     * @param port 1-65535
     * @param basicToken the base64 of {@code user:password}, or null for no credentials
     * @throws IllegalArgumentException for a host or token that could change the request's
     *         shape (a blank, a control character, a colon in a name): callers pass names the
     *         hello parser and the config already checked, so this is a programming error
     */
    public static byte[] format(String host, int port, String basicToken) {
        String authority = authority(host, port);
        StringBuilder b = new StringBuilder(96 + (basicToken == null ? 0 : basicToken.length()));
        b.append("CONNECT ").append(authority).append(" HTTP/1.1\r\n");
        b.append("Host: ").append(authority).append("\r\n");
        if (basicToken != null) {
            for (int i = 0; i < basicToken.length(); i++) {
                char c = basicToken.charAt(i);
                boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                        || c == '+' || c == '/' || c == '=';
                if (!base64) {
                    throw new IllegalArgumentException("credentials token is not base64");
                }
            }
            b.append("Proxy-Authorization: Basic ").append(basicToken).append("\r\n");
        }
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code host:port}, an IPv6 literal in brackets. */
    static String authority(String host, int port) {
        if (host == null || host.isEmpty() || host.length() > MAX_HOST) {
            throw new IllegalArgumentException("bad host length");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad port " + port);
        }
        boolean ipv6 = host.indexOf(':') >= 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || (ipv6 && (c == ':' || c == '%'));
            if (!ok) {
                throw new IllegalArgumentException("host holds a character a request line cannot carry");
            }
        }
        return (ipv6 ? "[" + host + "]" : host) + ":" + port;
    }
}
