package lnm.floor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interface watcher over a listing the test controls: what it keeps, logs and hands on. */
class NicWatchTest {
    private final AtomicReference<Map<String, List<InetAddress>>> listed = new AtomicReference<>(Map.of());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(NicWatch.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private NicWatch watch;

    @BeforeEach
    void setUp() {
        logger.addHandler(capture);
        watch = new NicWatch(listed::get, NicWatch.PERIOD_MILLIS);
    }

    @AfterEach
    void tearDown() {
        watch.close();
        logger.removeHandler(capture);
    }

    @Test
    void logsEachChangeAsOneLineAndHandsTheSnapshotOn() throws Exception {
        listed.set(Map.of("eth1", List.of(ip("10.9.0.4")), "eth2", List.of(ip("10.8.0.1"))));
        List<Map<String, List<InetAddress>>> seen = new CopyOnWriteArrayList<>();
        watch.onChange(seen::add);
        watch.watch(Set.of("eth1"));
        assertEquals(List.of(ip("10.9.0.4")), watch.addresses("eth1"));
        assertEquals(List.of(), watch.addresses("eth2"), "only the named interfaces");
        assertEquals(List.of("interface eth1: 10.9.0.4"), log);
        assertTrue(seen.isEmpty(), "watch() lists for the caller; owners hear from polls");

        listed.set(Map.of("eth1", List.of(ip("10.9.0.5"))));
        watch.poll(true);
        assertEquals("interface eth1: added 10.9.0.5; removed 10.9.0.4", log.get(1));
        assertEquals(1, seen.size());
        assertEquals(List.of(ip("10.9.0.5")), seen.get(0).get("eth1"));

        watch.poll(true);
        assertEquals(2, log.size(), "no change, no line: " + log);
        assertEquals(2, seen.size(), "owners hear every poll, so they can retry a failed bind");

        listed.set(Map.of());
        watch.poll(true);
        assertEquals("interface eth1: removed 10.9.0.5; no addresses left (missing or down); waiting for one", log.get(2));
        listed.set(Map.of("eth1", List.of(ip("fd00::7"))));
        watch.poll(true);
        assertTrue(log.get(3).startsWith("interface eth1: added fd00:"), log.get(3));
    }

    @Test
    void aMissingInterfaceIsLoggedAsWaiting() {
        watch.watch(Set.of("nicnothere0"));
        assertEquals(List.of(), watch.addresses("nicnothere0"));
        assertEquals(List.of("interface nicnothere0: no addresses (missing or down); waiting for one"), log);
    }

    @Test
    void linkLocalIpv6IsDroppedAndScopesCleared() throws Exception {
        InetAddress scoped = java.net.Inet6Address.getByAddress(null, ip("fd00::1").getAddress(), 3);
        listed.set(Map.of("eth1", List.of(ip("fe80::1"), scoped, ip("169.254.1.1"), ip("10.0.0.1"), ip("10.0.0.1"))));
        watch.watch(Set.of("eth1"));
        List<InetAddress> kept = watch.addresses("eth1");
        assertEquals(List.of(ip("fd00::1"), ip("169.254.1.1"), ip("10.0.0.1")), kept);
        assertEquals(0, ((java.net.Inet6Address) kept.get(0)).getScopeId());
    }

    @Test
    void hundredsOfAddressesAreCappedWithOneWarning() throws Exception {
        List<InetAddress> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i}));
        }
        listed.set(Map.of("eth1", many));
        watch.watch(Set.of("eth1"));
        watch.poll(true);
        watch.poll(true);
        assertEquals(NicWatch.MAX_ADDRESSES, watch.addresses("eth1").size());
        assertEquals(many.subList(0, NicWatch.MAX_ADDRESSES), watch.addresses("eth1"));
        assertEquals(1, log.stream().filter(l -> l.contains("has 300 addresses; lnm uses the first 64 and ignores 236")).count(), log.toString());
    }

    @Test
    void aFailingListingKeepsWhatWasThere() {
        AtomicInteger calls = new AtomicInteger();
        NicWatch w = new NicWatch(() -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("netlink said no");
            }
            return Map.of("eth1", List.of(ip("10.9.0.4")));
        }, NicWatch.PERIOD_MILLIS);
        w.watch(Set.of("eth1"));
        w.poll(true);
        assertEquals(List.of(ip("10.9.0.4")), w.addresses("eth1"));
        w.close();
    }

    @Test
    void theThreadPollsAndStops() {
        watch = new NicWatch(listed::get, 20);
        AtomicInteger polls = new AtomicInteger();
        watch.onChange(m -> polls.incrementAndGet());
        watch.watch(Set.of("eth1"));
        watch.start();
        listed.set(Map.of("eth1", List.of(ip("10.9.0.9"))));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> watch.addresses("eth1").equals(List.of(ip("10.9.0.9"))));
        watch.close();
        assertTrue(polls.get() > 0);
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
