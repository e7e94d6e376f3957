package lnm.hardening;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.proxy.ProxyV2;

/**
 * Per-source limits that see through a trusted child proxy: behind its PROXY v2 header each
 * origin has its own {@code limits.perSourceConnections}, the child itself only the total. And
 * {@code limits.perSourceRate}: every refused connection is accounted for in the audit, with
 * its own record or counted in one ({@code count}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SourceLimitsTest {
    static final int LIMIT = 50;

    @TempDir
    Path dir;

    static byte[] proxyHeader(String origin, int port) {
        return ProxyV2.encode(new InetSocketAddress(origin, port), new InetSocketAddress("127.0.0.1", 443));
    }

    @Test
    void perSourceLimitsApplyToTheOriginATrustedPeerNames() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Box box = Box.start(dir, "listen.https = 127.0.0.1:0\nlisten.https.acceptProxyProtocol = 127.0.0.1\n"
                        + "limits.perSourceConnections = " + LIMIT + "\ntimeouts.helloSeconds = 90\ndirect.allowSpecialAddresses = any\n",
                        "a.example = 127.0.0.1:" + upstream.getLocalPort() + "\n")) {
            upstream.setSoTimeout(30_000);
            // One origin holds LIMIT connections (header sent, hello not yet): all admitted,
            // although the peer, 127.0.0.1, then has more than LIMIT of its own.
            List<Client> held = new ArrayList<>();
            for (int i = 0; i < LIMIT + 10; i++) {
                held.add(Client.connect(box.address("https")).send(proxyHeader("10.20.0.1", 1000 + i)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> box.count("limit") == 10);
            assertEquals(LIMIT, box.active(), "the origin's first " + LIMIT + " are held");
            List<String> audit = box.audit();
            assertEquals(10, audit.size());
            for (String l : audit) {
                assertEquals("limit", Box.field(l, "reason"), l);
                assertEquals("perSourceConnections reached", Box.field(l, "error"), l);
                assertTrue(Box.field(l, "origin").startsWith("10.20.0.1:"), l);
            }

            // A second origin through the same peer still connects and is relayed.
            byte[] hello = new HelloBuilder().ext(HelloBuilder.sni("a.example")).build();
            try (Client c = Client.connect(box.address("https")).send(proxyHeader("10.20.0.2", 2000)).send(hello);
                    Socket up = upstream.accept()) {
                up.setSoTimeout(30_000);
                assertArrayEquals(hello, up.getInputStream().readNBytes(hello.length));
            }
            for (Client c : held) {
                c.close();
            }
            List<String> all = box.assertAuditComplete(LIMIT + 11, Duration.ofSeconds(30));
            assertEquals(1, box.count("allowlist:a.example"), box.reasons().toString());
            assertEquals(LIMIT, box.count("hello_incomplete"), box.reasons().toString());
            assertTrue(all.stream().anyMatch(l -> "10.20.0.2:2000".equals(Box.field(l, "origin"))), String.join("\n", all));
        }
    }

    /**
     * Origins are counted by IPv6 prefix ({@code limits.ipv6PrefixLength}, 64 by default): the
     * addresses of one /64 share one {@code limits.perSourceConnections}, another /64 has its
     * own, and at 128 every address has its own. The records keep each full origin.
     */
    @Test
    void originsOfOneIpv6PrefixShareOneLimit() throws Exception {
        for (int prefix : new int[] {64, 128}) {
            Path d = dir.resolve("p" + prefix);
            java.nio.file.Files.createDirectories(d);
            try (Box box = Box.start(d, "listen.https = 127.0.0.1:0\nlisten.https.acceptProxyProtocol = 127.0.0.1\n"
                    + "limits.perSourceConnections = 3\nlimits.ipv6PrefixLength = " + prefix + "\ntimeouts.helloSeconds = 90\n",
                    "a.example = 127.0.0.1:9\n")) {
                List<Client> held = new ArrayList<>();
                for (int i = 1; i <= 5; i++) { // five addresses of 2001:db8:1:2::/64
                    held.add(Client.connect(box.address("https")).send(proxyHeader("2001:db8:1:2::" + i, 1000 + i)));
                }
                held.add(Client.connect(box.address("https")).send(proxyHeader("2001:db8:1:3::1", 2000)));
                int refused = prefix == 64 ? 2 : 0;
                await().atMost(Duration.ofSeconds(30)).until(() -> box.count("limit") == refused && box.active() == 6 - refused);
                for (String l : box.audit()) { // which two of the /64 are refused depends on the loops' order
                    assertEquals("perSourceConnections reached", Box.field(l, "error"), l);
                    assertTrue(Box.field(l, "origin").matches("\\[2001:db8:1:2::[1-5]\\]:100[1-5]"), l);
                }
                for (Client c : held) {
                    c.close();
                }
                box.assertAuditComplete(6, Duration.ofSeconds(30));
                assertEquals(refused, box.count("limit"), "/" + prefix + ": " + box.reasons());
            }
        }
    }

    /**
     * The same with the shipped limits (1,000 a source, 200 new connections a second): one
     * origin opens 1,100 through the peer, paced under the rate; 100 are refused, and a second
     * origin still connects. Load-tagged: 2,200 sockets and several seconds of pacing.
     */
    @Test
    @Tag("load")
    void theDefaultPerSourceLimitAppliesToOneOriginThroughAPeer() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Box box = Box.start(dir, "listen.https = 127.0.0.1:0\nlisten.https.acceptProxyProtocol = 127.0.0.1\n"
                        + "limits.perSourceRate = 200\ntimeouts.helloSeconds = 120\ndirect.allowSpecialAddresses = any\n",
                        "a.example = 127.0.0.1:" + upstream.getLocalPort() + "\n")) {
            upstream.setSoTimeout(30_000);
            List<Client> held = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 1_100; i++) {
                long wait = t0 + i * 1_000_000_000L / 150 - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                held.add(Client.connect(box.address("https")).send(proxyHeader("10.20.0.1", 1000 + i)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> box.count("limit") == 100);
            assertEquals(1_000, box.active());
            assertEquals(0, box.count("rate_limited"), box.reasons().toString());
            byte[] hello = new HelloBuilder().ext(HelloBuilder.sni("a.example")).build();
            try (Client c = Client.connect(box.address("https")).send(proxyHeader("10.20.0.2", 2000)).send(hello);
                    Socket up = upstream.accept()) {
                up.setSoTimeout(30_000);
                assertArrayEquals(hello, up.getInputStream().readNBytes(hello.length));
            }
            for (Client c : held) {
                c.close();
            }
            box.assertAuditComplete(1_101, Duration.ofSeconds(60));
            assertEquals(1, box.count("allowlist:a.example"), box.reasons().toString());
        }
    }

    @Test
    void everyRateLimitedConnectionIsAccountedForInTheAudit() throws Exception {
        int n = 300;
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\nlimits.perSourceRate = 1\ntimeouts.helloSeconds = 90\n",
                "a.example = 127.0.0.1:9\n")) {
            for (int i = 0; i < n; i++) {
                try (Client c = Client.connect(box.address("https"))) {
                    c.socket.setSoLinger(true, 0);
                }
            }
            // Each connection is one record, or counted in one: a second's refusals past the
            // threshold come as a single record with "count".
            await().atMost(Duration.ofSeconds(30)).until(() -> connectionsIn(box.audit()) == n);
            Map<String, Long> reasons = new TreeMap<>();
            for (String l : box.audit()) {
                String c = Box.field(l, "count");
                reasons.merge(String.valueOf(Box.field(l, "reason")) + (c == null ? "" : " (counted)"), c == null ? 1 : Long.parseLong(c), Long::sum);
            }
            assertTrue(reasons.getOrDefault("rate_limited", 0L) > 0, reasons + "\n" + String.join("\n", box.audit()));
            assertEquals(0, box.app.audit().dropped());
        }
    }

    private static long connectionsIn(List<String> audit) {
        long n = 0;
        for (String l : audit) {
            String c = Box.field(l, "count");
            n += c == null ? 1 : Long.parseLong(c);
        }
        return n;
    }
}
