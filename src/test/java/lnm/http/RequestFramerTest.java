package lnm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lnm.audit.Reason;

/**
 * The keep-alive framer as the proxy drives it: bytes arrive in arbitrary pieces, heads are
 * accepted or not, and every request boundary must be found exactly where the upstream finds it.
 */
class RequestFramerTest {

    /**
     * Feeds {@code stream} in pieces of {@code piece} bytes the way the gate does (what is not
     * passed stays and is offered again with the next piece); returns the events, heads as
     * "HEAD method target" and passes merged into "BODY n", ending with "INVALID reason" or "WAIT n"
     * (n bytes held back at the end).
     */
    static List<String> drive(String stream, int piece) {
        byte[] all = stream.getBytes(StandardCharsets.ISO_8859_1);
        RequestFramer f = new RequestFramer(HttpLimits.DEFAULT);
        List<String> out = new ArrayList<>();
        int done = 0;
        long body = 0;
        for (int have = Math.min(piece, all.length); ; have = Math.min(all.length, have + piece)) {
            for (int guard = 0; guard <= all.length; guard++) {
                ByteBuffer view = ByteBuffer.wrap(all, 0, have).position(done).asReadOnlyBuffer();
                if (done >= have) {
                    break;
                }
                RequestFramer.Step s = f.next(view);
                if (s instanceof RequestFramer.Pass p) {
                    body += p.bytes();
                    done += p.bytes();
                } else if (s instanceof RequestFramer.Head h) {
                    if (body > 0) {
                        out.add("BODY " + body);
                        body = 0;
                    }
                    out.add("HEAD " + h.head().method() + " " + h.head().target());
                    f.accept(h.head());
                    done += h.head().length();
                } else if (s instanceof RequestFramer.Invalid bad) {
                    if (body > 0) {
                        out.add("BODY " + body);
                    }
                    out.add("INVALID " + Reason.of(bad.reason()).text());
                    return out;
                } else {
                    break;
                }
            }
            if (have == all.length) {
                break;
            }
        }
        if (body > 0) {
            out.add("BODY " + body);
        }
        if (done < all.length) {
            out.add("WAIT " + (all.length - done));
        }
        return out;
    }

    static void same(List<String> expected, String stream) {
        for (int piece : new int[] {1, 2, 3, 7, 64, 100_000}) {
            assertEquals(expected, drive(stream, piece), "piece " + piece);
        }
    }

    @Test
    void requestsWithoutBodies() {
        same(List.of("HEAD GET /1", "HEAD GET /2"), "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n");
    }

    @Test
    void contentLengthBodyIsNotReadAsARequest() {
        String inner = "GET /evil HTTP/1.1\r\nHost: evil\r\n\r\n";
        same(List.of("HEAD POST /1", "BODY " + inner.length(), "HEAD GET /2"),
                "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: " + inner.length() + "\r\n\r\n" + inner
                        + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() {
        String body = "5;name=value\r\nhello\r\n3 ;x\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n";
        same(List.of("HEAD POST /1", "BODY " + body.length(), "HEAD GET /2"),
                "POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        String big = "1F\r\n" + "y".repeat(31) + "\r\nA\r\n" + "z".repeat(10) + "\r\n0\r\n\r\n";
        same(List.of("HEAD POST /", "BODY " + big.length()), "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + big);
    }

    @Test
    void incompleteHeadWaits() {
        same(List.of("HEAD GET /1", "WAIT 21"), "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost");
    }

    @Test
    void badChunkFramingIsInvalid() {
        String h = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (String body : List.of(
                "0x5\r\nhello\r\n0\r\n\r\n",          // 0x prefix: some parsers read 0, some 5
                "5 junk\r\nhello\r\n0\r\n\r\n",        // junk after the size
                "5 \r\nhello\r\n0\r\n\r\n",            // blank without an extension
                "-5\r\nhello\r\n",                     // signed
                "\r\nhello\r\n",                       // no size
                "5\nhello\r\n0\r\n\r\n",               // bare LF
                "5\r\nhelloXX0\r\n\r\n",               // data not followed by CRLF
                "FFFFFFFFFFFFFFFF\r\n",                // larger than any body
                "0\r\nX: 1\n\r\n",                     // bare LF in the trailers
                "0\r\n folded\r\n\r\n",                // obs-fold in the trailers
                "0\r\nno colon\r\n\r\n")) {
            List<String> ev = drive(h + body, 1000);
            assertTrue(ev.get(ev.size() - 1).startsWith("INVALID "), body + " -> " + ev);
        }
        assertTrue(drive(h + "1;" + "e".repeat(2000) + "\r\n", 100_000).get(1).startsWith("INVALID"), "chunk line over the limit");
    }

    @Test
    void smugglingShapesInAFollowingRequestAreInvalid() {
        assertEquals(List.of("HEAD GET /1", "INVALID http_smuggling"), drive("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 9));
        assertEquals(List.of("HEAD GET /1", "INVALID http_malformed"), drive("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\u0000\r\n\r\n", 4));
    }
}
