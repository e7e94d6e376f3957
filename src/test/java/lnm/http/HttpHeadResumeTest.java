package lnm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import lnm.wire.ParseResult;

/**
 * A head fed in pieces, the parse resumed from where the last call stopped: the same answer as
 * the whole head, and every byte read a bounded number of times (counted, not timed).
 */
class HttpHeadResumeTest {

    /**
     * {@code b} fed {@code step} bytes at a time (the buffer grows by that much per call, its
     * start and earlier bytes unchanged, as a connection's head does): the first answer that is
     * not {@code NeedMore}, or {@code NeedMore} once all of it is in.
     */
    static ParseResult<RequestHead> fed(byte[] b, HttpLimits limits, int step) {
        return feed(b, limits, step).result();
    }

    private static HttpHeadParser.Outcome feed(byte[] b, HttpLimits limits, int step) {
        HttpHeadParser.Progress p = HttpHeadParser.Progress.START;
        HttpHeadParser.Outcome o = null;
        for (int n = Math.min(step, b.length); ; n = Math.min(n + step, b.length)) {
            o = HttpHeadParser.resume(ByteBuffer.wrap(b, 0, n).slice().asReadOnlyBuffer(), limits, p);
            p = o.progress();
            if (!(o.result() instanceof ParseResult.NeedMore<RequestHead>) || n == b.length) {
                return o;
            }
        }
    }

    /** A request line and as many long headers as fit in {@code size} bytes, the empty line last. */
    private static byte[] head(int size) {
        StringBuilder s = new StringBuilder("GET /resume HTTP/1.1\r\nHost: a.example\r\n");
        int i = 0;
        while (s.length() + 200 + 2 <= size) {
            s.append("X-Filler-").append(i++).append(": ").append("v".repeat(180)).append("\r\n");
        }
        int rest = size - s.length() - "X-Last: \r\n\r\n".length();
        s.append("X-Last: ").append("w".repeat(rest)).append("\r\n\r\n");
        assertEquals(size, s.length());
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aSixteenKibHeadFedOneByteAtATimeIsReadInLinearWork() {
        HttpLimits limits = HttpLimits.DEFAULT;
        byte[] b = head(limits.maxHeadBytes());
        HttpHeadParser.Outcome o = feed(b, limits, 1);
        ParseResult.Parsed<RequestHead> ok = assertInstanceOf(ParseResult.Parsed.class, o.result());
        assertEquals(b.length, ok.consumed());
        assertEquals(HttpHeadParser.parse(ByteBuffer.wrap(b), limits), o.result());
        // each byte is checked once as it arrives (and its neighbour at a line ending), then
        // read twice more as part of its line (checked, then copied): about 3 reads per byte, not
        // one per byte per read
        long reads = o.progress().bytesRead();
        assertTrue(reads <= 4L * b.length, reads + " reads for " + b.length + " bytes");

        // the same head parsed anew on every read: each call reads what is there again
        long fresh = 0;
        for (int n = 1; n <= b.length; n++) {
            fresh += HttpHeadParser.resume(ByteBuffer.wrap(b, 0, n).slice(), limits, HttpHeadParser.Progress.START)
                    .progress().bytesRead();
        }
        assertTrue(fresh > (long) b.length * b.length / 2, "the count sees the rescans: " + fresh);
    }

    @Test
    void aCrAtTheEndOfAReadIsCheckedWithTheByteAfterIt() {
        byte[] bad = "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        ParseResult.Invalid<RequestHead> i = assertInstanceOf(ParseResult.Invalid.class, fed(bad, HttpLimits.DEFAULT, 1));
        assertEquals("CR without LF at byte 23", i.detail());
        assertEquals(HttpHeadParser.parse(ByteBuffer.wrap(bad), HttpLimits.DEFAULT), i);
    }

    @Test
    void aLineRefusedEarlyIsAnsweredOnlyWhenTheHeadIsCompleteAsWhenParsedWhole() {
        String first = "GET / HTTP/1.1\r\nNo-Colon\r\nHost: a\r\n";
        HttpHeadParser.Outcome o = HttpHeadParser.resume(
                ByteBuffer.wrap(first.getBytes(StandardCharsets.ISO_8859_1)), HttpLimits.DEFAULT, HttpHeadParser.Progress.START);
        assertInstanceOf(ParseResult.NeedMore.class, o.result());
        // a bare LF further on wins, as it does for the whole head
        byte[] bareLf = (first + "X: y\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        ParseResult<RequestHead> r = HttpHeadParser.resume(ByteBuffer.wrap(bareLf), HttpLimits.DEFAULT, o.progress()).result();
        assertEquals(HttpHeadParser.parse(ByteBuffer.wrap(bareLf), HttpLimits.DEFAULT), r);
        assertEquals("bare LF at byte 39", ((ParseResult.Invalid<RequestHead>) r).detail());
        byte[] complete = (first + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        ParseResult<RequestHead> c = HttpHeadParser.resume(ByteBuffer.wrap(complete), HttpLimits.DEFAULT, o.progress()).result();
        assertEquals(new ParseResult.Invalid<RequestHead>(HttpHeadParser.MALFORMED, "header line without a colon"), c);
    }

    @Test
    void progressPastTheBytesThereStartsTheHeadAnew() {
        byte[] b = "GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1);
        HttpHeadParser.Progress p = HttpHeadParser.resume(ByteBuffer.wrap(b), HttpLimits.DEFAULT, HttpHeadParser.Progress.START)
                .progress();
        byte[] other = "GET /x HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
        ParseResult<RequestHead> r = HttpHeadParser.resume(ByteBuffer.wrap(other), HttpLimits.DEFAULT, p).result();
        assertSame(ParseResult.NeedMore.class, r.getClass());
    }
}
