package lnm.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Addresses of one destination: the unreachable ones go last for a while. */
class AddressHealthTest {
    private final AtomicLong now = new AtomicLong(5_000);
    private final AddressHealth h = new AddressHealth(now::get, 30_000);

    private static InetAddress ip(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 3, 0, (byte) last});
    }

    @Test
    void failedAddressGoesLastUntilItsMarkEndsOrItAnswers() throws Exception {
        List<InetAddress> resolved = List.of(ip(1), ip(2), ip(3));
        assertEquals(resolved, h.order(resolved, 443));
        h.failed(new InetSocketAddress(ip(1), 443));
        assertEquals(List.of(ip(2), ip(3), ip(1)), h.order(resolved, 443));
        assertEquals(resolved, h.order(resolved, 8883), "another port is another destination");
        assertEquals(1, h.downCount());
        now.addAndGet(30_000);
        assertEquals(resolved, h.order(resolved, 443));
        h.failed(new InetSocketAddress(ip(2), 443));
        h.succeeded(new InetSocketAddress(ip(2), 443));
        assertEquals(resolved, h.order(resolved, 443));
    }

    @Test
    void remembersAtMostMaxMarks() throws Exception {
        for (int i = 0; i < AddressHealth.MAX + 10; i++) {
            h.failed(new InetSocketAddress(ip(1), 1 + i));
        }
        assertEquals(AddressHealth.MAX, h.downCount());
        assertEquals(List.of(ip(1)), h.order(List.of(ip(1)), 1), "the oldest marks went first");
    }
}
