package lnm.dns;

import static lnm.dns.DnsClient.addresses;
import static lnm.dns.DnsClient.parse;
import static lnm.dns.DnsClient.query;
import static lnm.dns.DnsClient.udp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import lnm.admin.AdminHttp;
import lnm.config.IpLiteral;
import lnm.testing.Lnm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forwarding in a running appliance against an off-path forger on loopback: a fake upstream
 * records the source port of every query it gets, and a forger who learns the port and the ID
 * (more than an off-path attacker could) still cannot have its answer taken from another socket.
 */
class ForwarderSpoofIntegrationTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final InetAddress REAL = IpLiteral.address("192.0.2.53");
    static final InetAddress FORGED = IpLiteral.address("6.6.6.6");

    @TempDir
    Path dir;
    Lnm lnm;

    @AfterEach
    void stop() {
        if (lnm != null) {
            lnm.close();
        }
    }

    int start(FakeUpstream up) throws Exception {
        String config = String.join("\n", "listen.https = 127.0.0.1:0", "allowlist = allowlist.properties",
                "audit.file = audit.jsonl", "admin.listen = 127.0.0.1:0", "shutdown.drainSeconds = 0", "dns.listen = 127.0.0.1:0",
                "dns.upstream = 127.0.0.1:" + up.port(), "dns.forwardZones = plant.local", "dns.upstreamTimeoutSeconds = 5") + "\n";
        lnm = Lnm.start(dir, config, DnsServerIntegrationTest.ALLOWLIST);
        return lnm.app.dns().tcpAddress().orElseThrow().getPort();
    }

    DnsCounters counters() {
        return lnm.app.dns().counters();
    }

    @Test
    void queriesGoOutFromChangingSourcePorts() throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            int port = start(up);
            int n = 20;
            for (int i = 0; i < n; i++) {
                byte[] a = udp(port, query(i, "host" + i + ".plant.local", DnsCodes.TYPE_A, 0));
                assertEquals(i, parse(a).id());
                assertEquals(List.of(REAL), addresses(a));
            }
            assertEquals(n, up.senders.size());
            Set<Integer> ports = new HashSet<>();
            up.senders.forEach(s -> ports.add(s.getPort()));
            assertTrue(ports.size() > 1, "every query from the same port: " + ports);
            assertEquals(0, counters().forwardMismatches.sum());
        }
    }

    @Test
    void aForgedAnswerFromAnotherSocketIsNotTaken() throws Exception {
        try (FakeUpstream up = new FakeUpstream(); DatagramSocket client = new DatagramSocket(0, LO);
             DatagramSocket forger = new DatagramSocket(0, LO)) {
            up.silent = true; // the test answers for it, after the forger
            int port = start(up);
            byte[] q = query(0x5151, "historian.plant.local", DnsCodes.TYPE_A, 0);
            client.send(new DatagramPacket(q, q.length, new InetSocketAddress(LO, port)));
            await().atMost(Duration.ofSeconds(20)).until(() -> up.received.size() >= 1);
            byte[] sent = up.received.get(0);
            InetSocketAddress querySocket = up.senders.get(0);

            // The right ID and question to the query's own port, but not from the upstream's socket.
            byte[] forged = DnsWriter.answer(parse(sent), 0, false, List.of(FORGED), 86400, 512);
            forger.send(new DatagramPacket(forged, forged.length, querySocket));
            await().atMost(Duration.ofSeconds(20)).until(() -> counters().forwardMismatches.sum() >= 1);

            byte[] real = DnsWriter.answer(parse(sent), 0, false, List.of(REAL), 30, 512);
            up.socket.send(new DatagramPacket(real, real.length, querySocket));
            client.setSoTimeout(20_000);
            DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
            client.receive(p);
            byte[] a = Arrays.copyOf(p.getData(), p.getLength());
            assertEquals(0x5151, parse(a).id());
            assertEquals(List.of(REAL), addresses(a), "the upstream's answer, never the forged one");
            assertEquals(1, counters().forwardMismatches.sum());
            assertEquals(1, counters().get(DnsResult.FORWARDED));
            String metrics = AdminHttp.get(lnm, "/metrics").body();
            assertTrue(metrics.contains("\nlnm_dns_forward_mismatch_total 1\n"), "the drop is on /metrics");
        }
    }
}
