package lnm.http;

import java.nio.ByteBuffer;

import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * A strict, bounded HTTP/1.x request-head parser (RFC 9112), written for a proxy that decides on
 * the head and forwards it byte for byte: whatever this parser accepts, the upstream must read
 * the same way, so every shape that two parsers may disagree on is refused.
 *
 * <p>Pure: reads {@code in[position, limit)} with absolute gets, never moves it, never throws on
 * any input. Fed whatever has arrived so far, it answers {@code NeedMore} until the empty line
 * that ends the head is in. A caller that feeds a growing head keeps the {@link Progress} each
 * call returns and passes it to the next ({@link #resume}): the parse goes on from the last
 * complete line, so every byte is read a bounded number of times however the head is split.
 *
 * <p>In phases: every byte is checked for line endings as it arrives (and the request line's
 * first bytes for what cannot be HTTP); each complete line is read once, the request line by
 * {@link RequestLine}, header lines by {@link HeaderFields}; when the empty line is in,
 * {@link Framing} checks the body framing and where the request goes. What a line is refused
 * for is reported only once the head is complete, unless the line endings or the size limit
 * fail first, so the answer for any input is the same however its bytes arrive.
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

    private HttpHeadParser() {}

    /**
     * Where the parse of one head stopped: immutable, so any earlier value can be resumed from
     * again. Start a head from {@link #START}; after {@code Parsed} or {@code Invalid} the next
     * head starts from {@link #START} again.
     */
    public static final class Progress {
        /** Nothing read yet. */
        public static final Progress START = new Progress(0, 0, false, false, null, HeaderFields.NONE, null, 0);

        /** Bytes (from the buffer's position) checked for line endings; the next call goes on from here. */
        final int scanned;
        /** Where the line being read starts. */
        final int lineStart;
        /** True once the request line is complete: until then blank lines are skipped and bytes checked as a request line. */
        final boolean requestLineRead;
        /** True once the request line holds a space: the method is over. */
        final boolean sawSpace;
        /** The request line, once complete and read. */
        final RequestLine line;
        /** The header lines read so far. */
        final HeaderFields fields;
        /** The first complete line that was refused: the answer once the head is complete. */
        final ParseResult.Invalid<RequestHead> refused;
        private final long bytesRead;

        private Progress(int scanned, int lineStart, boolean requestLineRead, boolean sawSpace, RequestLine line,
                         HeaderFields fields, ParseResult.Invalid<RequestHead> refused, long bytesRead) {
            this.scanned = scanned;
            this.lineStart = lineStart;
            this.requestLineRead = requestLineRead;
            this.sawSpace = sawSpace;
            this.line = line;
            this.fields = fields;
            this.refused = refused;
            this.bytesRead = bytesRead;
        }

        /** Bytes of the buffer read so far over every call for this head (the tests check it grows linearly). */
        public long bytesRead() {
            return bytesRead;
        }
    }

    /**
     * What one call found: the answer, and where to go on from with more bytes.
     *
     * @param result {@code NeedMore}, {@code Parsed} or {@code Invalid}, as {@link #parse} answers
     * @param progress what to pass to the next call while the answer is {@code NeedMore}
     */
    public record Outcome(ParseResult<RequestHead> result, Progress progress) {}

    /** Parses the head at the start of {@code in[position, limit)}, reading it from its first byte. */
    public static ParseResult<RequestHead> parse(ByteBuffer in, HttpLimits limits) {
        return resume(in, limits, Progress.START).result();
    }

    /**
     * Goes on parsing the head at the start of {@code in[position, limit)} from {@code from},
     * which an earlier call returned for the same head with fewer bytes (from the same
     * position). A {@code from} past the bytes there is not that: the head is read anew.
     */
    public static Outcome resume(ByteBuffer in, HttpLimits limits, Progress from) {
        HeadBytes bytes = new HeadBytes(in);
        Progress p = from.scanned > bytes.length() ? Progress.START : from;
        int end = bytes.length();
        int scanEnd = Math.min(end, limits.maxHeadBytes());
        int lineStart = p.lineStart;
        boolean requestLineRead = p.requestLineRead;
        boolean sawSpace = p.sawSpace;
        RequestLine line = p.line;
        HeaderFields fields = p.fields;
        ParseResult.Invalid<RequestHead> refused = p.refused;
        int i = p.scanned;
        boolean lastIsCr = false;
        for (; i < scanEnd; i++) {
            int b = bytes.at(i);
            lastIsCr = b == CR;
            if (b == LF) {
                if (i == 0 || bytes.at(i - 1) != CR) {
                    return done(invalid(MALFORMED, "bare LF at byte " + i), p, bytes);
                }
                int lineEnd = i - 1;
                if (lineEnd == lineStart) { // an empty line
                    if (!requestLineRead) {
                        lineStart = i + 1; // blank lines before the request line are ignored (RFC 9112 2.2)
                        continue;
                    }
                    if (refused != null) {
                        return done(refused, p, bytes);
                    }
                    return done(Framing.check(line, fields, i + 1), p, bytes);
                }
                if (line == null && refused == null) {
                    ParseResult<RequestLine> r = RequestLine.parse(bytes, lineStart, lineEnd);
                    if (r instanceof ParseResult.Parsed<RequestLine> ok) {
                        line = ok.value();
                    } else {
                        refused = refusal(r);
                    }
                } else if (refused == null) {
                    ParseResult<HeaderFields> r = fields.add(bytes, lineStart, lineEnd, limits);
                    if (r instanceof ParseResult.Parsed<HeaderFields> ok) {
                        fields = ok.value();
                    } else {
                        refused = refusal(r);
                    }
                }
                requestLineRead = true;
                lineStart = i + 1;
                continue;
            }
            if (b == CR) {
                if (i + 1 < end && bytes.at(i + 1) != LF) {
                    return done(invalid(MALFORMED, "CR without LF at byte " + i), p, bytes);
                }
                continue;
            }
            if (!requestLineRead) {
                // Still in the request line: refuse what cannot be HTTP without waiting for more.
                if (b == ' ') {
                    if (i == lineStart) {
                        return done(invalid(MALFORMED, "request line starts with a space"), p, bytes);
                    }
                    sawSpace = true;
                } else if (!sawSpace && !Chars.tchar(b)) {
                    return done(invalid(MALFORMED, "not an HTTP request (byte 0x" + Integer.toHexString(b) + " in the method)"),
                            p, bytes);
                } else if (b < 0x21 || b == 0x7f) {
                    return done(invalid(MALFORMED, "control character in the request line"), p, bytes);
                }
            }
        }
        if (end >= limits.maxHeadBytes()) {
            return done(invalid(TOO_LARGE, "head longer than " + limits.maxHeadBytes() + " bytes"), p, bytes);
        }
        // A CR as the last byte is checked again with the byte after it.
        int scanned = i == end && lastIsCr ? i - 1 : i;
        Progress next = new Progress(scanned, lineStart, requestLineRead, sawSpace, line, fields, refused,
                p.bytesRead + bytes.reads());
        return new Outcome(ParseResult.needMore(), next);
    }

    private static Outcome done(ParseResult<RequestHead> result, Progress p, HeadBytes bytes) {
        Progress after = new Progress(p.scanned, p.lineStart, p.requestLineRead, p.sawSpace, p.line, p.fields, p.refused,
                p.bytesRead + bytes.reads());
        return new Outcome(result, after);
    }

    private static ParseResult.Invalid<RequestHead> refusal(ParseResult<?> r) {
        ParseResult.Invalid<?> bad = (ParseResult.Invalid<?>) r;
        return invalid(bad.reason(), bad.detail());
    }

    private static ParseResult.Invalid<RequestHead> invalid(Fault reason, String detail) {
        return new ParseResult.Invalid<>(reason, detail);
    }
}
