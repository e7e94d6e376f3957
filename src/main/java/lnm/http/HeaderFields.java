package lnm.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import lnm.wire.ParseResult;

/**
 * The second phase of {@link HttpHeadParser}: the header lines read so far, and what the
 * framing checks need from them (Host, Content-Length, Transfer-Encoding). Immutable: each line
 * read gives a new value that links to the one before, so a parse resumed from an older
 * {@link HttpHeadParser.Progress} still sees exactly the lines that one had read.
 */
final class HeaderFields {
    /** No header lines yet. */
    static final HeaderFields NONE = new HeaderFields(null, null, 0, null, -1, 0, false);

    private final Header last;
    private final HeaderFields before;
    private final int count;
    private final String host;
    private final long contentLength;
    private final int transferEncodings;
    private final boolean chunked;

    private HeaderFields(Header last, HeaderFields before, int count, String host, long contentLength,
                         int transferEncodings, boolean chunked) {
        this.last = last;
        this.before = before;
        this.count = count;
        this.host = host;
        this.contentLength = contentLength;
        this.transferEncodings = transferEncodings;
        this.chunked = chunked;
    }

    /** The Host header's value, or null if none was sent. */
    String host() {
        return host;
    }

    /** The Content-Length, or -1 if none was sent. */
    long contentLength() {
        return contentLength;
    }

    boolean chunked() {
        return chunked;
    }

    /** Every header line in order. */
    List<Header> list() {
        List<Header> l = new ArrayList<>(count);
        for (HeaderFields f = this; f.last != null; f = f.before) {
            l.add(f.last);
        }
        Collections.reverse(l);
        return l;
    }

    /**
     * These fields and the header line in {@code [from, to)} of {@code bytes} (its CRLF
     * excluded; it holds no CR or LF), or why that line is refused.
     */
    ParseResult<HeaderFields> add(HeadBytes bytes, int from, int to, HttpLimits limits) {
        int first = bytes.at(from);
        if (first == ' ' || first == '\t') {
            return ParseResult.invalid(HttpHeadParser.MALFORMED, "obs-fold (header line starting with a blank)");
        }
        if (count >= limits.maxHeaders()) {
            return ParseResult.invalid(HttpHeadParser.TOO_MANY_HEADERS, "more than " + limits.maxHeaders() + " header lines");
        }
        int colon = -1;
        for (int k = from; k < to; k++) {
            int b = bytes.at(k);
            if (b == ':') {
                colon = k;
                break;
            }
            if (!Chars.tchar(b)) {
                return ParseResult.invalid(HttpHeadParser.MALFORMED, "bad character in a header name (or blank before the colon)");
            }
        }
        if (colon <= from) {
            return ParseResult.invalid(HttpHeadParser.MALFORMED, colon == from ? "empty header name" : "header line without a colon");
        }
        int vs = colon + 1;
        int ve = to;
        while (vs < ve && Chars.blank(bytes.at(vs))) {
            vs++;
        }
        while (ve > vs && Chars.blank(bytes.at(ve - 1))) {
            ve--;
        }
        for (int k = vs; k < ve; k++) {
            int b = bytes.at(k);
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return ParseResult.invalid(HttpHeadParser.MALFORMED, "control character in a header value");
            }
        }
        Header h = new Header(bytes.latin1(from, colon), bytes.latin1(vs, ve));
        String newHost = host;
        long newLength = contentLength;
        int newEncodings = transferEncodings;
        boolean newChunked = chunked;
        if (h.is("host")) {
            if (host != null) {
                return ParseResult.invalid(HttpHeadParser.BAD_HOST, "more than one Host header");
            }
            newHost = h.value();
        } else if (h.is("content-length")) {
            long n = contentLength(h.value());
            if (n < 0) {
                return ParseResult.invalid(HttpHeadParser.SMUGGLING, "Content-Length is not a number");
            }
            if (contentLength >= 0 && contentLength != n) {
                return ParseResult.invalid(HttpHeadParser.SMUGGLING, "Content-Length values differ");
            }
            newLength = n;
        } else if (h.is("transfer-encoding")) {
            newEncodings++;
            if (newEncodings > 1 || !h.value().toLowerCase(Locale.ROOT).equals("chunked")) {
                return ParseResult.invalid(HttpHeadParser.SMUGGLING, "Transfer-Encoding other than exactly one 'chunked'");
            }
            newChunked = true;
        }
        HeaderFields next = new HeaderFields(h, this, count + 1, newHost, newLength, newEncodings, newChunked);
        return new ParseResult.Parsed<>(next, to - from);
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
}
