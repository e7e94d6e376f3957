package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

import org.junit.jupiter.api.Test;

/** The head buffer: what is read before the decision, parsed again whole after each read. */
class HeadTest {
    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes());
    }

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a);
    }

    @Test
    void appendsReadsInOrderAndShowsThemWhole() {
        Head h = new Head();
        h.append(bytes("PROXY"), 1 << 20);
        h.append(bytes("hello"), 1 << 20);
        assertEquals(10, h.length());
        assertEquals("PROXYhello", text(h.all()));
        assertEquals("PROXYhello", text(h.view()));
        assertTrue(h.hasUnconsumed());
    }

    @Test
    void skippedBytesLeaveTheViewAndAreNotReplayed() {
        Head h = new Head();
        h.append(bytes("HDRhello"), 1 << 20);
        h.skip(3);
        assertEquals("hello", text(h.view()));
        assertEquals(0, h.view().position(), "the view starts at 0, as the parsers expect");
        assertEquals("HDRhello", text(h.all()), "all() still has the consumed part (the PROXY parser reads from the start)");
        assertEquals("PPhello", text(h.replay("PP".getBytes())));
        h.skip(5);
        assertFalse(h.hasUnconsumed());
        assertEquals("", text(h.replay(new byte[0])));
    }

    @Test
    void viewsAreReadOnly() {
        Head h = new Head();
        h.append(bytes("x"), 16);
        assertThrows(ReadOnlyBufferException.class, () -> h.view().put((byte) 1));
        assertThrows(ReadOnlyBufferException.class, () -> h.all().put((byte) 1));
    }

    @Test
    void growsPastItsCapByAtMostOneRead() {
        Head h = new Head();
        h.append(ByteBuffer.allocate(900), 1000);
        h.append(ByteBuffer.allocate(900), 1000); // the read that passes the cap is kept whole
        assertEquals(1800, h.length());
        assertEquals(1800, h.view().remaining());
    }

    /** {@code n} TLS handshake records of {@code len} bytes each. */
    private static ByteBuffer records(int n, int len) {
        ByteBuffer b = ByteBuffer.allocate(n * (5 + len));
        for (int i = 0; i < n; i++) {
            b.put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) len).put(new byte[len]);
        }
        return b.flip();
    }

    @Test
    void countsHelloRecordsUpToTheLimit() {
        Head h = new Head();
        h.append(records(Head.MAX_HELLO_RECORDS, 1), 1 << 20);
        assertFalse(h.tooFragmented(), "exactly the limit is still fine");
        h.append(records(1, 1), 1 << 20);
        assertTrue(h.tooFragmented());
    }

    @Test
    void countsRecordsOncePerHeaderAcrossReadsAndAfterASkippedPrefix() {
        Head h = new Head();
        h.append(bytes("HDR"), 1 << 20);
        h.skip(3);
        ByteBuffer all = records(Head.MAX_HELLO_RECORDS + 1, 2);
        // split in the middle of a record header: the partial header is not counted yet
        ByteBuffer first = all.duplicate();
        first.limit(7 * Head.MAX_HELLO_RECORDS / 2 + 3);
        h.append(first, 1 << 20);
        assertFalse(h.tooFragmented());
        assertFalse(h.tooFragmented(), "asking again counts nothing twice");
        all.position(first.limit());
        h.append(all, 1 << 20);
        assertTrue(h.tooFragmented());
    }

    @Test
    void onlyHandshakeRecordsAreCounted() {
        Head h = new Head();
        ByteBuffer b = records(Head.MAX_HELLO_RECORDS + 5, 1);
        b.put(0, (byte) 23); // not a handshake record: the parser judges it, not the counter
        h.append(b, 1 << 20);
        assertFalse(h.tooFragmented());
    }
}
