package lnm.http;

import java.nio.ByteBuffer;

import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * Finds the request boundaries in the client-to-server byte stream of a keep-alive HTTP/1.1
 * connection, so that every request head can be checked before a byte of it goes on.
 *
 * <p>The framer keeps only where it is (in a head, a fixed-length body, a chunk, the trailers),
 * how far a waiting head has been parsed ({@link HttpHeadParser.Progress})
 * and how much is left; it holds no bytes. Each {@link #next} looks at what has arrived from the
 * current point on, without moving the buffer, and names the next piece:
 * <ul>
 *   <li>{@link Pass}: that many body or chunk-framing bytes; the framer has moved past them.</li>
 *   <li>{@link Head}: a complete request head. The framer stays put until the caller
 *       {@link #accept}s it (then its body follows); a refused head ends the stream.</li>
 *   <li>{@link NeedMore}: what is there is an incomplete head or chunk line; offer it again with
 *       more bytes. What waits is bounded by the head and chunk-line limits.</li>
 *   <li>{@link Invalid}: the stream is not HTTP/1.1 as this parser reads it; stop.</li>
 * </ul>
 * Chunk-size lines are strict (hex digits, optional extensions, CRLF) and chunk data must end in
 * CRLF, so a body cannot be read as a different request by the upstream than by lnm.
 */
public final class RequestFramer {

    /** One step through the stream. */
    public sealed interface Step {}

    /** {@code bytes} (at least 1) of body or framing: pass them on. */
    public record Pass(int bytes) implements Step {}

    /** A complete request head of {@code head.length()} bytes, waiting for {@link #accept}. */
    public record Head(RequestHead head) implements Step {}

    public record NeedMore() implements Step {}

    public record Invalid(Fault reason, String detail) implements Step {}

    private enum Phase { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, FAILED }

    private final HttpLimits limits;
    private Phase phase = Phase.HEAD;
    /** How far the head that waits has been parsed: it goes on from its last complete line. */
    private HttpHeadParser.Progress head = HttpHeadParser.Progress.START;
    private long remaining;
    private int trailerBytes;
    private int trailerLines;
    private long requests;

    public RequestFramer(HttpLimits limits) {
        this.limits = limits;
    }

    /** Requests accepted so far. */
    public long requests() {
        return requests;
    }

    /** Whether the framer stands at the start of a request (between messages). */
    public boolean atHead() {
        return phase == Phase.HEAD;
    }

    /** Moves past an accepted head into its body. */
    public void accept(RequestHead h) {
        if (phase != Phase.HEAD) {
            throw new IllegalStateException("accept outside a head");
        }
        requests++;
        if (h.chunked()) {
            phase = Phase.CHUNK_SIZE;
        } else if (h.fixedBodyLength() > 0) {
            phase = Phase.BODY;
            remaining = h.fixedBodyLength();
        }
    }

    /** The next piece of {@code in[position, limit)}; never moves {@code in}. */
    public Step next(ByteBuffer in) {
        int avail = in.remaining();
        switch (phase) {
            case HEAD: {
                HttpHeadParser.Outcome o = HttpHeadParser.resume(in, limits, head);
                ParseResult<RequestHead> r = o.result();
                head = r instanceof ParseResult.NeedMore<RequestHead> ? o.progress() : HttpHeadParser.Progress.START;
                if (r instanceof ParseResult.Parsed<RequestHead> ok) {
                    return new Head(ok.value());
                }
                if (r instanceof ParseResult.Invalid<RequestHead> bad) {
                    return fail(bad.reason(), bad.detail());
                }
                return new NeedMore();
            }
            case BODY: {
                if (avail == 0) {
                    return new NeedMore();
                }
                int n = (int) Math.min(avail, remaining);
                remaining -= n;
                if (remaining == 0) {
                    phase = Phase.HEAD;
                }
                return new Pass(n);
            }
            case CHUNK_SIZE:
                return chunkSize(in);
            case CHUNK_DATA: {
                if (avail == 0) {
                    return new NeedMore();
                }
                int n = (int) Math.min(avail, remaining);
                remaining -= n;
                if (remaining == 0) {
                    phase = Phase.CHUNK_END;
                }
                return new Pass(n);
            }
            case CHUNK_END: {
                if (avail < 2) {
                    return avail == 1 && in.get(in.position()) != '\r' ? fail(HttpHeadParser.MALFORMED, "chunk data not followed by CRLF")
                            : new NeedMore();
                }
                if (in.get(in.position()) != '\r' || in.get(in.position() + 1) != '\n') {
                    return fail(HttpHeadParser.MALFORMED, "chunk data not followed by CRLF");
                }
                phase = Phase.CHUNK_SIZE;
                return new Pass(2);
            }
            case TRAILER:
                return trailer(in);
            default:
                return new Invalid(HttpHeadParser.MALFORMED, "stream already failed");
        }
    }

    /** {@code 1*HEXDIG [ BWS ";" ext ] CRLF}; size 0 starts the trailers. */
    private Step chunkSize(ByteBuffer in) {
        int p = in.position();
        int end = Math.min(in.limit(), p + limits.maxChunkLine());
        long size = 0;
        int digits = 0;
        int i = p;
        for (; i < end; i++) {
            int d = Character.digit(in.get(i) & 0xff, 16);
            if (d < 0) {
                break;
            }
            if (++digits > 15) {
                return fail(HttpHeadParser.SMUGGLING, "chunk size too large");
            }
            size = size * 16 + d;
        }
        if (i == end) {
            return tooLongOrMore(in, "chunk-size line");
        }
        if (digits == 0) {
            return fail(HttpHeadParser.MALFORMED, "chunk size is not hex");
        }
        boolean ext = false;
        boolean blank = false;
        for (; i < end; i++) {
            int b = in.get(i) & 0xff;
            if (b == '\r') {
                if (blank && !ext) {
                    return fail(HttpHeadParser.MALFORMED, "blank after the chunk size without an extension");
                }
                if (i + 1 >= in.limit()) {
                    return new NeedMore();
                }
                if ((in.get(i + 1) & 0xff) != '\n') {
                    return fail(HttpHeadParser.MALFORMED, "CR without LF in a chunk-size line");
                }
                int len = i + 2 - p;
                if (size == 0) {
                    phase = Phase.TRAILER;
                    trailerBytes = 0;
                    trailerLines = 0;
                } else {
                    phase = Phase.CHUNK_DATA;
                    remaining = size;
                }
                return new Pass(len);
            }
            if (b == ';') {
                ext = true;
            } else if (b == '\n') {
                return fail(HttpHeadParser.MALFORMED, "bare LF in a chunk-size line");
            } else if (!ext && !Chars.blank(b)) {
                return fail(HttpHeadParser.MALFORMED, "junk after the chunk size");
            } else if (!ext) {
                blank = true;
            } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return fail(HttpHeadParser.MALFORMED, "control character in a chunk extension");
            }
        }
        return tooLongOrMore(in, "chunk-size line");
    }

    /** One trailer line, or the empty line that ends the message. */
    private Step trailer(ByteBuffer in) {
        int p = in.position();
        int budget = limits.maxHeadBytes() - trailerBytes;
        int end = (int) Math.min(in.limit(), (long) p + budget);
        for (int i = p; i < end; i++) {
            int b = in.get(i) & 0xff;
            if (b == '\n') {
                return fail(HttpHeadParser.MALFORMED, "bare LF in the trailers");
            }
            if (b == '\r') {
                if (i + 1 >= in.limit()) {
                    return new NeedMore();
                }
                if ((in.get(i + 1) & 0xff) != '\n') {
                    return fail(HttpHeadParser.MALFORMED, "CR without LF in the trailers");
                }
                int len = i + 2 - p;
                if (i == p) {
                    phase = Phase.HEAD;
                    return new Pass(2);
                }
                int first = in.get(p) & 0xff;
                if (first == ' ' || first == '\t') {
                    return fail(HttpHeadParser.MALFORMED, "obs-fold in the trailers");
                }
                if (++trailerLines > limits.maxHeaders()) {
                    return fail(HttpHeadParser.TOO_MANY_HEADERS, "too many trailer lines");
                }
                boolean colon = false;
                for (int k = p; k < i; k++) {
                    int c = in.get(k) & 0xff;
                    if (!colon && c == ':' && k > p) {
                        colon = true;
                    } else if (!colon && !Chars.tchar(c)) {
                        return fail(HttpHeadParser.MALFORMED, "bad trailer field name");
                    } else if (colon && ((c < 0x20 && c != '\t') || c == 0x7f)) {
                        return fail(HttpHeadParser.MALFORMED, "control character in a trailer");
                    }
                }
                if (!colon) {
                    return fail(HttpHeadParser.MALFORMED, "trailer line without a colon");
                }
                trailerBytes += len;
                return new Pass(len);
            }
        }
        if (end - p >= budget) {
            return fail(HttpHeadParser.TOO_LARGE, "trailers longer than " + limits.maxHeadBytes() + " bytes");
        }
        return new NeedMore();
    }

    private Step tooLongOrMore(ByteBuffer in, String what) {
        if (in.remaining() >= limits.maxChunkLine()) {
            return fail(HttpHeadParser.MALFORMED, what + " longer than " + limits.maxChunkLine() + " bytes");
        }
        return new NeedMore();
    }

    private Step fail(Fault reason, String detail) {
        phase = Phase.FAILED;
        return new Invalid(reason, detail);
    }
}
