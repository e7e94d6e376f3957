package lnm.http;

import java.util.List;

/**
 * A parsed HTTP/1.x request head.
 *
 * @param method the method token as sent (case-sensitive, so {@code connect} is not CONNECT)
 * @param target the request-target as sent
 * @param form which request-target form it is
 * @param host where the request goes: the CONNECT authority, the absolute-form authority or the
 *     Host header; lowercase, IPv6 literals without brackets
 * @param port the port that goes with {@code host}: as written, else 80 (http); CONNECT always names one
 * @param path for plain requests the path and query ({@code *} for asterisk-form); null for CONNECT
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers every header line in order
 * @param contentLength the body length from Content-Length, or -1 if none was sent
 * @param chunked whether the body uses chunked transfer coding
 * @param length bytes of the head, leading blank lines and the final empty line included
 */
public record RequestHead(String method, String target, Form form, String host, int port, String path, String version,
                          List<Header> headers, long contentLength, boolean chunked, int length) {

    /** The request-target forms of RFC 9112 3.2. */
    public enum Form {
        /** {@code /path?query}, routed by the Host header. */
        ORIGIN,
        /** {@code http://host[:port]/path}, as sent to a proxy. */
        ABSOLUTE,
        /** {@code host:port}, only with CONNECT. */
        AUTHORITY,
        /** {@code *}, only with OPTIONS. */
        ASTERISK
    }

    public RequestHead {
        headers = List.copyOf(headers);
    }

    public boolean isConnect() {
        return form == Form.AUTHORITY;
    }

    /** Body bytes that follow the head when not chunked (0 when no Content-Length was sent). */
    public long fixedBodyLength() {
        return chunked ? 0 : Math.max(0, contentLength);
    }

    /** The path without its query string: what the audit log shows (queries may carry tokens). */
    public String pathWithoutQuery() {
        if (path == null) {
            return null;
        }
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    /** {@code host:port}, IPv6 in brackets. */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
