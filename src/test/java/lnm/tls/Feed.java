package lnm.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Invalid;
import lnm.wire.ParseResult.NeedMore;
import lnm.wire.ParseResult.Parsed;
import lnm.wire.Fault;

/** Feeding bytes to the parser the ways the proxy will, and checking what comes back. */
final class Feed {
    private Feed() {}

    static ParseResult<ClientHello> parse(byte[] bytes) {
        return ClientHelloParser.parse(ByteBuffer.wrap(bytes), ClientHelloParser.DEFAULT_MAX_HELLO);
    }

    static ParseResult<ClientHello> prefix(byte[] bytes, int k, int max) {
        return ClientHelloParser.parse(ByteBuffer.wrap(bytes, 0, k).slice(), max);
    }

    static Parsed<ClientHello> parsed(ParseResult<ClientHello> r) {
        if (r instanceof Parsed<ClientHello> p) {
            return p;
        }
        return fail("expected Parsed, got " + r);
    }

    static Invalid<ClientHello> invalid(ParseResult<ClientHello> r, Fault reason) {
        if (r instanceof Invalid<ClientHello> inv) {
            assertEquals(reason, inv.reason(), () -> "detail: " + inv.detail());
            return inv;
        }
        return fail("expected Invalid " + reason + ", got " + r);
    }

    /**
     * Parses every prefix of {@code bytes}: each must be NeedMore until the answer is known,
     * then the one final answer for every longer prefix (Invalid may come early, once the
     * offending bytes are in; Parsed only with the last byte). Returns the final answer.
     */
    static ParseResult<ClientHello> everyPrefix(byte[] bytes, int max) {
        ParseResult<ClientHello> whole = ClientHelloParser.parse(ByteBuffer.wrap(bytes), max);
        boolean decided = false;
        for (int k = 0; k < bytes.length; k++) {
            ParseResult<ClientHello> r = prefix(bytes, k, max);
            if (r instanceof NeedMore<ClientHello>) {
                if (decided) {
                    fail("prefix " + k + " is NeedMore after a shorter prefix was Invalid");
                }
                continue;
            }
            if (r instanceof Parsed<ClientHello>) {
                fail("prefix " + k + " of " + bytes.length + " already Parsed: " + r);
            }
            decided = true;
            assertEquals(whole, r, "prefix " + k + " disagrees with the whole input");
        }
        return whole;
    }

    /** Grows one buffer a byte at a time, as single-byte TCP segments would. */
    static ParseResult<ClientHello> byteAtATime(byte[] bytes, int max) {
        ByteBuffer buf = ByteBuffer.allocate(bytes.length);
        ParseResult<ClientHello> r = null;
        for (byte b : bytes) {
            buf.put(b);
            ByteBuffer view = buf.duplicate().flip();
            r = ClientHelloParser.parse(view, max);
            assertEquals(0, view.position());
            assertEquals(buf.position(), view.limit());
            if (r instanceof Parsed<ClientHello>) {
                assertEquals(bytes.length, buf.position(), "Parsed before the last byte: " + r);
            } else if (r instanceof Invalid<ClientHello>) {
                return r; // refused as soon as the bad bytes are in, which is the point
            }
        }
        return r;
    }
}
