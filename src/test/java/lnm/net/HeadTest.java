package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;

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
        Head h = new Head(new HeadBudget(1 << 20));
        h.append(bytes("PROXY"), 1 << 20);
        h.append(bytes("hello"), 1 << 20);
        assertEquals(10, h.length());
        assertEquals("PROXYhello", text(h.all()));
        assertEquals("PROXYhello", text(h.view()));
        assertTrue(h.hasUnconsumed());
    }

    @Test
    void skippedBytesLeaveTheViewAndAreNotReplayed() {
        Head h = new Head(new HeadBudget(1 << 20));
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
        Head h = new Head(new HeadBudget(1 << 20));
        h.append(bytes("x"), 16);
        assertThrows(ReadOnlyBufferException.class, () -> h.view().put((byte) 1));
        assertThrows(ReadOnlyBufferException.class, () -> h.all().put((byte) 1));
    }

    @Test
    void growsPastItsCapByAtMostOneRead() {
        Head h = new Head(new HeadBudget(1 << 20));
        h.append(ByteBuffer.allocate(900), 1000);
        h.append(ByteBuffer.allocate(900), 1000); // the read that passes the cap is kept whole
        assertEquals(1800, h.length());
        assertEquals(1800, h.view().remaining());
    }

    @Test
    void growsWithWhatWasReceivedToPowersOfTwoTakenFromTheBudget() {
        HeadBudget b = new HeadBudget(1 << 20);
        Head h = new Head(b);
        assertEquals(0, h.held(), "nothing held before the first byte");
        assertTrue(h.append(ByteBuffer.allocate(100), 1 << 17));
        assertEquals(512, h.held());
        assertTrue(h.append(ByteBuffer.allocate(8_900), 1 << 17));
        assertEquals(16_384, h.held(), "9,000 bytes: the next power of two");
        assertEquals(16_384, b.held());
        h.release();
        assertEquals(0, b.held(), "given back");
        assertEquals(0, h.length());
    }

    @Test
    void aSpentBudgetRefusesGrowthAndKeepsItsLastQuarterForSmallHeads() {
        HeadBudget b = new HeadBudget(64 * 1024); // big heads: 48 KiB; small ones the rest
        List<Head> big = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Head h = new Head(b);
            assertTrue(h.append(ByteBuffer.allocate(9_000), 1 << 17));
            big.add(h);
        }
        Head fourth = new Head(b);
        assertFalse(fourth.append(ByteBuffer.allocate(9_000), 1 << 17), "past three quarters");
        assertEquals(0, fourth.length(), "nothing appended");
        assertEquals(3 * 16_384, b.held());
        Head small = new Head(b);
        assertTrue(small.append(ByteBuffer.allocate(2_000), 1 << 17), "a small head has the last quarter");
        big.get(0).release();
        assertFalse(fourth.append(ByteBuffer.allocate(9_000), 1 << 17), "small heads count against the big heads' share too");
        small.release();
        assertTrue(fourth.append(ByteBuffer.allocate(9_000), 1 << 17), "freed bytes serve the next one");
    }
}
