package lnm.proxy;

import static lnm.proxy.Vectors.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import lnm.wire.ParseResult;
import org.junit.jupiter.api.Test;

/**
 * Feed-what-you-have behaviour: every proper prefix of a header is NeedMore, and the parser
 * reads absolutely, whatever the buffer's kind, position or byte order, without moving it.
 */
class ProxyV2StreamingTest {

    @Test
    void everySplitPointIsNeedMore() {
        for (byte[] v : valid()) {
            for (int n = 0; n < v.length; n++) {
                ParseResult<ProxyHeader> r = ProxyV2.parse(ByteBuffer.wrap(v, 0, n));
                assertInstanceOf(ParseResult.NeedMore.class, r, () -> "prefix of " + hex(v) + " -> " + r);
            }
            assertInstanceOf(ParseResult.Parsed.class, ProxyV2.parse(ByteBuffer.wrap(v)));
        }
    }

    @Test
    void oneByteAtATimeIntoAGrowingBuffer() {
        for (byte[] v : valid()) {
            ByteBuffer buf = ByteBuffer.allocate(v.length + 8);
            ParseResult<ProxyHeader> r = ParseResult.needMore();
            for (int i = 0; i < v.length; i++) {
                assertInstanceOf(ParseResult.NeedMore.class, r, "before byte " + i);
                buf.put(v[i]);
                ByteBuffer readView = buf.duplicate().flip().asReadOnlyBuffer();
                r = ProxyV2.parse(readView);
                assertEquals(0, readView.position());
            }
            var p = assertInstanceOf(ParseResult.Parsed.class, r);
            assertEquals(v.length, p.consumed());
        }
    }

    @Test
    void parseDoesNotMoveThePositionOrLimit() {
        byte[][] inputs = {TCP4, CRC, TLVS, b(0x0D, 0x0A), b(0x50, 0x52), with(TCP4, 12, 0x11)};
        for (byte[] v : inputs) {
            ByteBuffer buf = ByteBuffer.wrap(cat(b(9, 9, 9), v, b(7, 7)), 3, v.length);
            ProxyV2.parse(buf);
            assertEquals(3, buf.position());
            assertEquals(3 + v.length, buf.limit());
        }
    }

    @Test
    void directBuffersAtNonZeroPositionAndEitherByteOrder() {
        for (byte[] v : valid()) {
            ProxyHeader expected = parsed(v);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer direct = ByteBuffer.allocateDirect(v.length + 20).order(order);
                direct.put(new byte[11]).put(v).put(b(0x16, 0x03, 0x01)); // junk, header, TLS bytes
                direct.flip().position(11);
                ParseResult<ProxyHeader> r = ProxyV2.parse(direct);
                assertEquals(11, direct.position());
                assertEquals(11 + v.length + 3, direct.limit());
                var p = assertInstanceOf(ParseResult.Parsed.class, r, () -> order + " " + hex(v));
                assertEquals(v.length, p.consumed());
                assertEquals(expected, p.value());
            }
        }
    }

    @Test
    void invalidInAReadOnlyDirectBufferIsStillInvalid() {
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(with(CRC, CRC_VALUE_AT, 0)).flip();
        ParseResult<ProxyHeader> r = ProxyV2.parse(direct.asReadOnlyBuffer());
        assertInstanceOf(ParseResult.Invalid.class, r);
    }

    @Test
    void mayBeSignature() {
        assertTrue(ProxyV2.mayBeSignature(ByteBuffer.allocate(0)));
        for (int n = 1; n <= SIG.length; n++) {
            assertTrue(ProxyV2.mayBeSignature(ByteBuffer.wrap(SIG, 0, n)), "prefix " + n);
        }
        assertTrue(ProxyV2.mayBeSignature(ByteBuffer.wrap(TCP4)));
        assertTrue(ProxyV2.mayBeSignature(ByteBuffer.wrap(with(TCP4, 12, 0x11))), "only the 12 bytes count");
        for (int i = 0; i < SIG.length; i++) {
            assertFalse(ProxyV2.mayBeSignature(ByteBuffer.wrap(with(SIG, i, SIG[i] + 1))), "byte " + i);
        }
        assertFalse(ProxyV2.mayBeSignature(ByteBuffer.wrap(b(0x16, 0x03))));      // TLS
        assertFalse(ProxyV2.mayBeSignature(ByteBuffer.wrap("PROXY".getBytes(StandardCharsets.US_ASCII))));
        ByteBuffer offset = ByteBuffer.wrap(cat(b(0x16), SIG), 1, 5);
        assertTrue(ProxyV2.mayBeSignature(offset));
        assertEquals(1, offset.position());
    }
}
