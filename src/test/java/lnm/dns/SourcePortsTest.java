package lnm.dns;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The ports forwarded queries go out from. */
class SourcePortsTest {
    static int port(DatagramChannel ch) throws Exception {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    @Test
    void theSystemRangeIsEphemeral() {
        SourcePorts p = SourcePorts.system(new SecureRandom());
        assertTrue(p.low() >= 1024 && p.low() < p.high() && p.high() <= 65535, p.low() + "-" + p.high());
    }

    @Test
    void socketsAreNonBlockingAndBoundInTheRange() throws Exception {
        SourcePorts p = SourcePorts.system(new SecureRandom());
        for (int i = 0; i < 5; i++) {
            try (DatagramChannel ch = p.open()) {
                assertFalse(ch.isBlocking());
                int port = port(ch);
                assertTrue(port >= p.low() && port <= p.high(), "port " + port);
            }
        }
    }

    @Test
    void aTakenPortLeavesTheChoiceToTheKernel() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0)) {
            int only = taken.getLocalPort();
            try (DatagramChannel ch = new SourcePorts(new SecureRandom(), only, only).open()) {
                assertNotEquals(only, port(ch));
                assertTrue(port(ch) > 0);
            }
        }
    }

    @Test
    void aBadRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SourcePorts(new SecureRandom(), 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new SourcePorts(new SecureRandom(), 5000, 4000));
        assertThrows(IllegalArgumentException.class, () -> new SourcePorts(new SecureRandom(), 5000, 65536));
    }
}
