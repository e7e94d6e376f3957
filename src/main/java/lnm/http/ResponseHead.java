package lnm.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * The head of an HTTP/1.x response, as an HTTP proxy answers a {@code CONNECT} (RFC 9112 4,
 * RFC 9110 9.3.6 and 15.2): the status, the status line for logs and audit, and how many bytes
 * the head took; whatever follows a 2xx head is already tunnel data.
 *
 * <p>Pure, like the other parsers: reads {@code in[position, limit)} with absolute gets, never
 * moves it, never throws on any input. Interim 1xx heads (other than 101) are skipped and
 * counted in {@code consumed}; the final head is the answer. A line may end in CRLF or a bare
 * LF (RFC 9112 2.2 lets a recipient accept it; nothing here is forwarded, so two readings
 * cannot disagree). Refused: a head longer than {@code maxBytes} together with its interim heads
 * ({@code HTTP_HEAD_TOO_LARGE}), more than {@link #MAX_HEADERS} header lines
 * ({@code HTTP_TOO_MANY_HEADERS}), a version other than HTTP/1.0 or 1.1 ({@code HTTP_VERSION}),
 * anything else that is not a status line and header lines ({@code HTTP_MALFORMED}).
 *
 * @param status the three-digit status code, 100-599
 * @param statusLine the status line without its line ending, printable ASCII only (others
 *        replaced by {@code ?}), at most {@link #MAX_STATUS_LINE} characters
 */
public record ResponseHead(int status, String statusLine) {
    /** Header lines in one head. */
    public static final int MAX_HEADERS = 100;
    /** Characters of the status line kept for logs and audit. */
    public static final int MAX_STATUS_LINE = 128;
    /** A sensible bound for {@code maxBytes}: proxies answer CONNECT with a few hundred bytes. */
    public static final int MAX_BYTES = 8 * 1024;

    /** True for 2xx: the tunnel is open. */
    public boolean success() {
        return status >= 200 && status < 300;
    }

    /**
     * Parses the bytes that have arrived so far.
     *
     * @param maxBytes the most bytes the heads (interim ones included) may take
     */
    public static ParseResult<ResponseHead> parse(ByteBuffer in, int maxBytes) {
        int base = in.position();
        int end = in.limit();
        int headStart = base;
        while (true) {
            ParseResult<ResponseHead> one = parseOne(in, headStart, end, base + maxBytes);
            if (!(one instanceof ParseResult.Parsed<ResponseHead> p)) {
                return one;
            }
            int after = headStart + p.consumed();
            int status = p.value().status();
            if (status >= 200 || status == 101) {
                return new ParseResult.Parsed<>(p.value(), after - base);
            }
            headStart = after;
        }
    }

    /** One head starting at {@code start}; {@code consumed} is relative to {@code start}. */
    private static ParseResult<ResponseHead> parseOne(ByteBuffer in, int start, int end, int bound) {
        int lineStart = start;
        int lines = 0;
        ResponseHead head = null;
        int i = start;
        while (true) {
            if (i >= bound) {
                return ParseResult.invalid(Fault.HTTP_HEAD_TOO_LARGE, "response head longer than " + (bound - in.position()) + " bytes");
            }
            if (i >= end) {
                return ParseResult.needMore();
            }
            int b = in.get(i) & 0xff;
            if (b != '\n') {
                if (b == 0) {
                    return ParseResult.invalid(Fault.HTTP_MALFORMED, "NUL in response head");
                }
                i++;
                continue;
            }
            int lineEnd = i > lineStart && in.get(i - 1) == '\r' ? i - 1 : i;
            i++;
            if (head == null) {
                ParseResult<ResponseHead> line = statusLine(in, lineStart, lineEnd);
                if (!(line instanceof ParseResult.Parsed<ResponseHead> p)) {
                    return line;
                }
                head = p.value();
            } else if (lineEnd == lineStart) {
                return new ParseResult.Parsed<>(head, i - start);
            } else {
                if (++lines > MAX_HEADERS) {
                    return ParseResult.invalid(Fault.HTTP_TOO_MANY_HEADERS, "more than " + MAX_HEADERS + " header lines in response");
                }
                String problem = headerLine(in, lineStart, lineEnd);
                if (problem != null) {
                    return ParseResult.invalid(Fault.HTTP_MALFORMED, problem);
                }
            }
            lineStart = i;
        }
    }

    private static ParseResult<ResponseHead> statusLine(ByteBuffer in, int from, int to) {
        String shown = printable(in, from, to);
        // "HTTP/1.x SSS" at least; the reason phrase after a further space may be empty.
        if (to - from < 12 || !startsWith(in, from, "HTTP/")) {
            return ParseResult.invalid(Fault.HTTP_MALFORMED, "not an HTTP status line: " + shown);
        }
        int major = in.get(from + 5);
        int dot = in.get(from + 6);
        int minor = in.get(from + 7);
        if (dot != '.' || major < '0' || major > '9' || minor < '0' || minor > '9' || in.get(from + 8) != ' ') {
            return ParseResult.invalid(Fault.HTTP_MALFORMED, "not an HTTP status line: " + shown);
        }
        if (major != '1' || (minor != '0' && minor != '1')) {
            return ParseResult.invalid(Fault.HTTP_VERSION, "response version " + (char) major + "." + (char) minor);
        }
        int status = 0;
        for (int k = 9; k < 12; k++) {
            int d = in.get(from + k);
            if (d < '0' || d > '9') {
                return ParseResult.invalid(Fault.HTTP_MALFORMED, "bad status code: " + shown);
            }
            status = status * 10 + (d - '0');
        }
        if (status < 100 || status > 599 || (to - from > 12 && in.get(from + 12) != ' ')) {
            return ParseResult.invalid(Fault.HTTP_MALFORMED, "bad status code: " + shown);
        }
        return new ParseResult.Parsed<>(new ResponseHead(status, shown), to - from);
    }

    /** Null when {@code name: value} is well formed, else what is wrong. */
    private static String headerLine(ByteBuffer in, int from, int to) {
        int colon = -1;
        for (int k = from; k < to; k++) {
            int b = in.get(k) & 0xff;
            if (b == ':') {
                colon = k;
                break;
            }
            if (!Chars.tchar(b)) {
                return "bad header name in response: " + printable(in, from, to);
            }
        }
        if (colon <= from) {
            return "header line without a name and colon in response: " + printable(in, from, to);
        }
        for (int k = colon + 1; k < to; k++) {
            int b = in.get(k) & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return "control character in a response header value";
            }
        }
        return null;
    }

    private static boolean startsWith(ByteBuffer in, int from, String s) {
        for (int k = 0; k < s.length(); k++) {
            if (in.get(from + k) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** The bytes as printable ASCII, others as '?', cut to {@link #MAX_STATUS_LINE}. */
    private static String printable(ByteBuffer in, int from, int to) {
        int n = Math.min(to - from, MAX_STATUS_LINE);
        byte[] out = new byte[n];
        for (int k = 0; k < n; k++) {
            int b = in.get(from + k) & 0xff;
            out[k] = (byte) (b >= 0x20 && b < 0x7f ? b : '?');
        }
        return new String(out, StandardCharsets.US_ASCII);
    }
}
