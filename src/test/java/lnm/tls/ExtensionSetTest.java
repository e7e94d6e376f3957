package lnm.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExtensionSetTest {
    @Test
    void everySixteenBitValueIsAddedOnceAndThenSeenAsDuplicate() {
        ExtensionSet s = new ExtensionSet();
        for (int t = 0; t <= 0xffff; t += 7) { // grows through many table sizes
            assertTrue(s.add(t), "first add of " + t);
        }
        for (int t = 0; t <= 0xffff; t += 7) {
            assertFalse(s.add(t), "second add of " + t);
        }
        assertTrue(s.add(1)); // a value never added before is still new
        assertTrue(s.add(0xffff - 2)); // 65533 is no multiple of 7
    }

    @Test
    void typicalHelloExtensionTypesStayDistinct() {
        ExtensionSet s = new ExtensionSet();
        int[] types = {0, 5, 10, 11, 13, 16, 18, 23, 27, 35, 43, 45, 51, 17513, 65281, 0x0a0a, 0xfafa};
        for (int t : types) {
            assertTrue(s.add(t));
        }
        assertFalse(s.add(43));
        assertFalse(s.add(0xfafa));
    }
}
