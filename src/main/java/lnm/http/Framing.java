package lnm.http;

import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * The last phase of {@link HttpHeadParser}, once the head is complete: how the body is framed
 * (Content-Length and Transfer-Encoding may not both be there, no chunked HTTP/1.0, no body on
 * CONNECT) and where the request goes (the target's form, and the Host header agreeing with it).
 */
final class Framing {
    private Framing() {}

    /** The request head of {@code line} and {@code fields}, {@code length} bytes long, or why it is refused. */
    static ParseResult<RequestHead> check(RequestLine line, HeaderFields fields, int length) {
        boolean chunked = fields.chunked();
        long contentLength = fields.contentLength();
        if (chunked && contentLength >= 0) {
            return invalid(HttpHeadParser.SMUGGLING, "both Content-Length and Transfer-Encoding");
        }
        if (chunked && line.http10()) {
            return invalid(HttpHeadParser.SMUGGLING, "Transfer-Encoding in an HTTP/1.0 request");
        }
        Authority fromHost = null;
        if (fields.host() != null) {
            fromHost = Authority.parse(fields.host());
            if (fromHost == null) {
                return invalid(HttpHeadParser.BAD_HOST, "Host header is not host[:port]");
            }
        }
        String method = line.method();
        String target = line.target();
        RequestHead.Form form;
        Authority where;
        String path;
        if (method.equals("CONNECT")) {
            form = RequestHead.Form.AUTHORITY;
            where = Authority.parse(target);
            if (where == null || where.port() < 0) {
                return invalid(HttpHeadParser.BAD_HOST, "CONNECT target is not host:port");
            }
            if (fromHost != null && (!fromHost.host().equals(where.host()) || (fromHost.port() >= 0 && fromHost.port() != where.port()))) {
                return invalid(HttpHeadParser.BAD_HOST, "Host header differs from the CONNECT target");
            }
            if (chunked || contentLength > 0) {
                return invalid(HttpHeadParser.SMUGGLING, "CONNECT with a body");
            }
            path = null;
        } else if (target.startsWith("/")) {
            form = RequestHead.Form.ORIGIN;
            if (fromHost == null) {
                return invalid(HttpHeadParser.BAD_HOST, "no Host header");
            }
            where = fromHost;
            path = target;
        } else if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                return invalid(HttpHeadParser.MALFORMED, "'*' target with a method other than OPTIONS");
            }
            form = RequestHead.Form.ASTERISK;
            if (fromHost == null) {
                return invalid(HttpHeadParser.BAD_HOST, "no Host header");
            }
            where = fromHost;
            path = "*";
        } else {
            int scheme = target.indexOf("://");
            if (scheme <= 0) {
                return invalid(HttpHeadParser.MALFORMED, "request target is not origin-, absolute-, authority- or asterisk-form");
            }
            if (!target.substring(0, scheme).equalsIgnoreCase("http")) {
                return invalid(HttpHeadParser.MALFORMED, "only http:// targets are proxied; use CONNECT for https");
            }
            form = RequestHead.Form.ABSOLUTE;
            int authStart = scheme + 3;
            int authEnd = authStart;
            while (authEnd < target.length() && target.charAt(authEnd) != '/' && target.charAt(authEnd) != '?') {
                authEnd++;
            }
            where = Authority.parse(target.substring(authStart, authEnd));
            if (where == null) {
                return invalid(HttpHeadParser.BAD_HOST, "bad authority in the absolute-form target");
            }
            path = authEnd == target.length() ? "/" : target.charAt(authEnd) == '?' ? "/" + target.substring(authEnd) : target.substring(authEnd);
            if (fromHost == null && !line.http10()) {
                return invalid(HttpHeadParser.BAD_HOST, "no Host header");
            }
            if (fromHost != null && (!fromHost.host().equals(where.host()) || fromHost.portOr(80) != where.portOr(80))) {
                return invalid(HttpHeadParser.BAD_HOST, "Host header differs from the absolute-form target");
            }
        }
        int port = form == RequestHead.Form.AUTHORITY ? where.port() : where.portOr(80);
        RequestHead head = new RequestHead(method, target, form, where.host(), port, path, line.version(), fields.list(),
                contentLength, chunked, length);
        return new ParseResult.Parsed<>(head, length);
    }

    private static ParseResult<RequestHead> invalid(Fault fault, String detail) {
        return ParseResult.invalid(fault, detail);
    }
}
