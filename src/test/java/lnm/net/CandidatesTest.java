package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import lnm.config.CidrSet;
import lnm.config.HostPort;
import lnm.upstream.AddressHealth;

/** What a connection tries, in which order: parents then their addresses, health applied. */
class CandidatesTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AddressHealth health = new AddressHealth(now::get, 30_000);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static List<InetSocketAddress> drain(Candidates c) {
        List<InetSocketAddress> out = new ArrayList<>();
        while (c.hasNext()) {
            out.add(c.next());
        }
        return out;
    }

    @Test
    void parentsComeInTheGivenOrderEachOnItsOwnPortOrTheClients() throws Exception {
        HostPort a = new HostPort("10.4.0.10", -1);
        HostPort b = new HostPort("10.4.0.11", 8443);
        Candidates c = Candidates.parents(List.of(a, b), 443);
        c.nextDestination();
        assertEquals(a, c.parent(), "health knows a parent as written");
        assertEquals(new HostPort("10.4.0.10", 443), c.destination());
        assertTrue(c.hasNextDestination());
        c.resolved(List.of(ip("10.4.0.10")), null, health);
        assertEquals(List.of(new InetSocketAddress(ip("10.4.0.10"), 443)), drain(c));
        c.nextDestination();
        assertEquals(b, c.parent());
        assertEquals(b, c.destination());
        assertFalse(c.hasNextDestination());
    }

    @Test
    void anAddressThatFailedLatelyIsTriedLast() throws Exception {
        Candidates c = Candidates.of(new HostPort("twice.internal", 443));
        c.nextDestination();
        assertNull(c.parent());
        health.failed(new InetSocketAddress(ip("10.0.0.1"), 443));
        c.resolved(List.of(ip("10.0.0.1"), ip("10.0.0.2")), null, health);
        assertEquals(List.of(new InetSocketAddress(ip("10.0.0.2"), 443), new InetSocketAddress(ip("10.0.0.1"), 443)), drain(c));

        now.addAndGet(30_000);
        c = Candidates.of(new HostPort("twice.internal", 443));
        c.nextDestination();
        c.resolved(List.of(ip("10.0.0.1"), ip("10.0.0.2")), null, health);
        assertEquals(ip("10.0.0.1"), c.next().getAddress(), "the mark has run out");
    }

    @Test
    void aGuardedDestinationDropsForbiddenAddressesAndSaysWhy() throws Exception {
        Candidates c = Candidates.of(new HostPort("inward.example", 443));
        c.nextDestination();
        c.resolved(List.of(ip("127.0.0.1")), Destinations.NONE.guard(CidrSet.none()), health);
        assertTrue(c.isEmpty());
        assertEquals("127.0.0.1 is loopback", c.forbiddenDetail());
    }
}
