package lnm.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * A strict, bounded HTTP/1.x request-head parser (RFC 9112), written for a proxy that decides on
 * the head and forwards it byte for byte: whatever this parser accepts, the upstream must read
 * the same way, so every shape that two parsers may disagree on is refused.
 *
 * <p>Pure: reads {@code in[position, limit)} with absolute gets, never moves it, never throws on
 * any input. Fed whatever has arrived so far, it answers {@code NeedMore} until the empty line
 * that ends the head is in.
 *
 * <p>Refused (with the audit reason in brackets):
 * <ul>
 *   <li>a line ending in a bare LF, or a CR not followed by LF; obs-fold (a header line starting
 *       with a blank); blanks before a header's colon; control characters; anything but single
 *       spaces between the three parts of the request line [{@code http_malformed}]</li>
 *   <li>a head longer than {@link HttpLimits#maxHeadBytes()} [{@code http_head_too_large}], more
 *       than {@link HttpLimits#maxHeaders()} header lines [{@code http_too_many_headers}]</li>
 *   <li>a version other than HTTP/1.0 or HTTP/1.1 [{@code http_version}]</li>
 *   <li>a missing (where one is needed), repeated or unparsable Host; userinfo in an authority;
 *       an absolute-form or CONNECT authority that the Host header contradicts [{@code http_bad_host}]</li>
 *   <li>Content-Length together with Transfer-Encoding; Content-Length values that differ; a
 *       Transfer-Encoding other than exactly {@code chunked}, or more than one; a body on CONNECT
 *       [{@code http_smuggling}]</li>
 * </ul>
 * A request line that cannot be HTTP (a TLS hello sent to the HTTP port, binary noise) is refused
 * as soon as its first bytes show it, not when a limit runs out.
 */
public final class HttpHeadParser {
    public static final Fault MALFORMED = Fault.HTTP_MALFORMED;
    public static final Fault TOO_LARGE = Fault.HTTP_HEAD_TOO_LARGE;
    public static final Fault TOO_MANY_HEADERS = Fault.HTTP_TOO_MANY_HEADERS;
    public static final Fault VERSION = Fault.HTTP_VERSION;
    public static final Fault BAD_HOST = Fault.HTTP_BAD_HOST;
    public static final Fault SMUGGLING = Fault.HTTP_SMUGGLING;

    private static final int CR = '\r';
    private static final int LF = '\n';
    private static final int MAX_NAME = 253;

    private HttpHeadParser() {}

    public static ParseResult<RequestHead> parse(ByteBuffer in, HttpLimits limits) {
        int start = in.position();
        int end = in.limit();
        int scanEnd = (int) Math.min(end, (long) start + limits.maxHeadBytes());
        // Pass 1: find the end of the head, checking every line ending on the way.
        int lineStart = start;
        int requestLine = -1; // start of the request line, once leading blank lines are skipped
        int requestLineEnd = -1;
        boolean sawSpace = false;
        int headEnd = -1;
        for (int i = start; i < scanEnd; i++) {
            int b = in.get(i) & 0xff;
            if (b == LF) {
                if (i == start || (in.get(i - 1) & 0xff) != CR) {
                    return invalid(MALFORMED, "bare LF at byte " + (i - start));
                }
                int lineEnd = i - 1;
                if (lineEnd == lineStart) { // an empty line
                    if (requestLine < 0) {
                        lineStart = i + 1; // blank lines before the request line are ignored (RFC 9112 2.2)
                        continue;
                    }
                    headEnd = i + 1;
                    break;
                }
                if (requestLine < 0) {
                    requestLine = lineStart;
                    requestLineEnd = lineEnd;
                }
                lineStart = i + 1;
                continue;
            }
            if (b == CR) {
                if (i + 1 < end && (in.get(i + 1) & 0xff) != LF) {
                    return invalid(MALFORMED, "CR without LF at byte " + (i - start));
                }
                continue;
            }
            if (requestLine < 0 && i >= lineStart) {
                // Still in the request line: refuse what cannot be HTTP without waiting for more.
                if (b == ' ') {
                    if (i == lineStart) {
                        return invalid(MALFORMED, "request line starts with a space");
                    }
                    sawSpace = true;
                } else if (!sawSpace && !Chars.tchar(b)) {
                    return invalid(MALFORMED, "not an HTTP request (byte 0x" + Integer.toHexString(b) + " in the method)");
                } else if (b < 0x21 || b == 0x7f) {
                    return invalid(MALFORMED, "control character in the request line");
                }
            }
        }
        if (headEnd < 0) {
            if (end - start >= limits.maxHeadBytes()) {
                return invalid(TOO_LARGE, "head longer than " + limits.maxHeadBytes() + " bytes");
            }
            return ParseResult.needMore();
        }
        // Pass 2: the head is complete; read its lines.
        String line = ascii(in, requestLine, requestLineEnd);
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 == sp1 + 1 || sp2 == line.length() - 1) {
            return invalid(MALFORMED, "request line is not 'method target version'");
        }
        String method = line.substring(0, sp1);
        String target = line.substring(sp1 + 1, sp2);
        String version = line.substring(sp2 + 1);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            boolean looksHttp = version.length() == 8 && version.startsWith("HTTP/") && Character.isDigit(version.charAt(5))
                    && version.charAt(6) == '.' && Character.isDigit(version.charAt(7));
            return invalid(looksHttp ? VERSION : MALFORMED, looksHttp ? "version " + version + " not supported" : "no HTTP version");
        }
        for (int k = 0; k < target.length(); k++) {
            char c = target.charAt(k);
            if (c < 0x21 || c > 0x7e || c == '#') {
                return invalid(MALFORMED, "bad character in the request target");
            }
        }

        List<Header> headers = new ArrayList<>();
        String hostHeader = null;
        long contentLength = -1;
        int transferEncodings = 0;
        boolean chunked = false;
        int pos = requestLineEnd + 2;
        while (pos < headEnd - 2) {
            int eol = pos;
            while ((in.get(eol) & 0xff) != CR) {
                eol++; // pass 1 proved every line ends in CRLF before headEnd
            }
            int first = in.get(pos) & 0xff;
            if (first == ' ' || first == '\t') {
                return invalid(MALFORMED, "obs-fold (header line starting with a blank)");
            }
            if (headers.size() >= limits.maxHeaders()) {
                return invalid(TOO_MANY_HEADERS, "more than " + limits.maxHeaders() + " header lines");
            }
            int colon = -1;
            for (int k = pos; k < eol; k++) {
                int b = in.get(k) & 0xff;
                if (b == ':') {
                    colon = k;
                    break;
                }
                if (!Chars.tchar(b)) {
                    return invalid(MALFORMED, "bad character in a header name (or blank before the colon)");
                }
            }
            if (colon <= pos) {
                return invalid(MALFORMED, colon == pos ? "empty header name" : "header line without a colon");
            }
            int vs = colon + 1;
            int ve = eol;
            while (vs < ve && Chars.blank(in.get(vs) & 0xff)) {
                vs++;
            }
            while (ve > vs && Chars.blank(in.get(ve - 1) & 0xff)) {
                ve--;
            }
            for (int k = vs; k < ve; k++) {
                int b = in.get(k) & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return invalid(MALFORMED, "control character in a header value");
                }
            }
            Header h = new Header(ascii(in, pos, colon), latin1(in, vs, ve));
            headers.add(h);
            pos = eol + 2;
            if (h.is("host")) {
                if (hostHeader != null) {
                    return invalid(BAD_HOST, "more than one Host header");
                }
                hostHeader = h.value();
            } else if (h.is("content-length")) {
                long n = contentLength(h.value());
                if (n < 0) {
                    return invalid(SMUGGLING, "Content-Length is not a number");
                }
                if (contentLength >= 0 && contentLength != n) {
                    return invalid(SMUGGLING, "Content-Length values differ");
                }
                contentLength = n;
            } else if (h.is("transfer-encoding")) {
                transferEncodings++;
                if (transferEncodings > 1 || !h.value().toLowerCase(Locale.ROOT).equals("chunked")) {
                    return invalid(SMUGGLING, "Transfer-Encoding other than exactly one 'chunked'");
                }
                chunked = true;
            }
        }
        if (chunked && contentLength >= 0) {
            return invalid(SMUGGLING, "both Content-Length and Transfer-Encoding");
        }
        if (chunked && version.equals("HTTP/1.0")) {
            return invalid(SMUGGLING, "Transfer-Encoding in an HTTP/1.0 request");
        }

        // Where the request goes.
        RequestHead.Form form;
        Authority where;
        String path;
        Authority fromHost = null;
        if (hostHeader != null) {
            fromHost = Authority.parse(hostHeader);
            if (fromHost == null) {
                return invalid(BAD_HOST, "Host header is not host[:port]");
            }
        }
        if (method.equals("CONNECT")) {
            form = RequestHead.Form.AUTHORITY;
            where = Authority.parse(target);
            if (where == null || where.port() < 0) {
                return invalid(BAD_HOST, "CONNECT target is not host:port");
            }
            if (fromHost != null && (!fromHost.host().equals(where.host()) || (fromHost.port() >= 0 && fromHost.port() != where.port()))) {
                return invalid(BAD_HOST, "Host header differs from the CONNECT target");
            }
            if (chunked || contentLength > 0) {
                return invalid(SMUGGLING, "CONNECT with a body");
            }
            path = null;
        } else if (target.startsWith("/")) {
            form = RequestHead.Form.ORIGIN;
            if (fromHost == null) {
                return invalid(BAD_HOST, "no Host header");
            }
            where = fromHost;
            path = target;
        } else if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                return invalid(MALFORMED, "'*' target with a method other than OPTIONS");
            }
            form = RequestHead.Form.ASTERISK;
            if (fromHost == null) {
                return invalid(BAD_HOST, "no Host header");
            }
            where = fromHost;
            path = "*";
        } else {
            int scheme = target.indexOf("://");
            if (scheme <= 0) {
                return invalid(MALFORMED, "request target is not origin-, absolute-, authority- or asterisk-form");
            }
            if (!target.substring(0, scheme).equalsIgnoreCase("http")) {
                return invalid(MALFORMED, "only http:// targets are proxied; use CONNECT for https");
            }
            form = RequestHead.Form.ABSOLUTE;
            int authStart = scheme + 3;
            int authEnd = authStart;
            while (authEnd < target.length() && target.charAt(authEnd) != '/' && target.charAt(authEnd) != '?') {
                authEnd++;
            }
            where = Authority.parse(target.substring(authStart, authEnd));
            if (where == null) {
                return invalid(BAD_HOST, "bad authority in the absolute-form target");
            }
            path = authEnd == target.length() ? "/" : target.charAt(authEnd) == '?' ? "/" + target.substring(authEnd) : target.substring(authEnd);
            if (fromHost == null && version.equals("HTTP/1.1")) {
                return invalid(BAD_HOST, "no Host header");
            }
            if (fromHost != null && (!fromHost.host().equals(where.host()) || fromHost.portOr(80) != where.portOr(80))) {
                return invalid(BAD_HOST, "Host header differs from the absolute-form target");
            }
        }
        int port = form == RequestHead.Form.AUTHORITY ? where.port() : where.portOr(80);
        RequestHead head = new RequestHead(method, target, form, where.host(), port, path, version, headers,
                contentLength, chunked, headEnd - start);
        return new ParseResult.Parsed<>(head, headEnd - start);
    }

    /** A Content-Length value: digits, or a list of equal digit strings (RFC 9110 8.6); -1 if bad. */
    static long contentLength(String v) {
        long n = -1;
        for (String part : v.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty() || p.length() > 15) {
                return -1;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return -1;
                }
            }
            long m = Long.parseLong(p);
            if (n >= 0 && m != n) {
                return -1;
            }
            n = m;
        }
        return n;
    }

    private static String ascii(ByteBuffer in, int from, int to) {
        return latin1(in, from, to);
    }

    private static String latin1(ByteBuffer in, int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) {
            b[i] = in.get(from + i);
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static <T> ParseResult<T> invalid(Fault reason, String detail) {
        return ParseResult.invalid(reason, detail);
    }

    /** {@code host[:port]}: a DNS-style name, an IPv4 literal or a bracketed IPv6 literal; no userinfo. */
    record Authority(String host, int port) {
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
}
