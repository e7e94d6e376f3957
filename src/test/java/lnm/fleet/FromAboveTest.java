package lnm.fleet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which keys a bundle may set: every per-source limit is policy, a listener is the box's own. */
class FromAboveTest {
    @Test
    void theLimitsMayComeFromAbove() {
        for (String k : new String[] {"limits.perSourceConnections", "limits.perSourceRate", "limits.ipv6PrefixLength"}) {
            assertTrue(FromAbove.allowed(k), k);
        }
        assertTrue(FromAbove.whyNot().contains("limits.ipv6PrefixLength"));
    }

    @Test
    void whatMakesTheBoxStaysLocal() {
        assertFalse(FromAbove.allowed("listen.https.acceptProxyProtocol"));
        assertFalse(FromAbove.allowed("fleet.trust"));
    }
}
