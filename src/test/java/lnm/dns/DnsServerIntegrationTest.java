package lnm.dns;

import lnm.cli.Appliance;
import lnm.config.IpLiteral;
import lnm.testing.Hex;
import lnm.testing.Lnm;
import static lnm.dns.DnsClient.addresses;
import static lnm.dns.DnsClient.parse;
import static lnm.dns.DnsClient.query;
import static lnm.dns.DnsClient.udp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DNS server inside a running appliance, driven by plain JDK sockets on loopback.
 * ({@link DigTest} drives it with dig.)
 */
class DnsServerIntegrationTest {
    static final String ALLOWLIST = "management.azure.com = direct\n*.his.arc.azure.com = direct\n";
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;
    Lnm lnm;

    @AfterEach
    void stop() {
        if (lnm != null) {
            lnm.close();
        }
    }

    static String config(String... dnsLines) {
        return String.join("\n", "listen.https = 127.0.0.1:0", "allowlist = allowlist.properties", "audit.file = audit.jsonl",
                "admin.listen = off", "shutdown.drainSeconds = 0", "dns.listen = 127.0.0.1:0", "dns.audit = true",
                String.join("\n", dnsLines)) + "\n";
    }

    Lnm start(String... dnsLines) throws Exception {
        lnm = Lnm.start(dir, config(dnsLines), ALLOWLIST);
        return lnm;
    }

    int port() {
        return lnm.app.dns().tcpAddress().orElseThrow().getPort();
    }

    DnsCounters counters() {
        return lnm.app.dns().counters();
    }

    /** ::1 when loopback has it (IPv6 enabled), else nothing. */
    static List<InetAddress> loopbackV6() throws IOException {
        NetworkInterface lo = NetworkInterface.getByInetAddress(LO);
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress a : Collections.list(lo.getInetAddresses())) {
            if (a.getAddress().length == 16) {
                out.add(InetAddress.getByAddress(a.getAddress()));
            }
        }
        return out;
    }

    @Test
    void allowlistedNamesResolveToTheAddressTheQueryCameTo() throws Exception {
        start();
        byte[] a = udp(port(), query(0x1111, "management.azure.com", DnsCodes.TYPE_A, 1232));
        DnsMessage m = parse(a);
        assertEquals(0x1111, m.id());
        assertEquals(0, m.rcode());
        assertTrue((m.flags() & DnsMessage.AA) != 0);
        assertEquals(List.of(LO), addresses(a));
        assertEquals(60, m.answers().get(0).ttl());
        assertEquals(1232, m.edns().payloadSize());

        byte[] aaaa = udp(port(), query(0x2222, "Deep.His.Arc.Azure.Com", DnsCodes.TYPE_AAAA, 0));
        assertEquals(loopbackV6(), addresses(aaaa));
        assertEquals("Deep.His.Arc.Azure.Com", parse(aaaa).question().name().text(), "the question is echoed as asked");
        assertEquals(0, parse(udp(port(), query(3, "management.azure.com", DnsCodes.TYPE_MX, 0))).answers().size());
        assertEquals(3, counters().get(DnsResult.ANSWERED));
    }

    @Test
    void otherNamesAreRefused() throws Exception {
        start();
        for (String name : new String[] {"example.org", "his.arc.azure.com", "azure.com"}) {
            DnsMessage m = parse(udp(port(), query(7, name, DnsCodes.TYPE_A, 1232)));
            assertEquals(DnsCodes.REFUSED, m.rcode(), name);
            assertTrue(m.answers().isEmpty());
        }
        assertEquals(3, counters().get(DnsResult.REFUSED));
    }

    @Test
    void tcpWithPipelinedQueries() throws Exception {
        start();
        List<byte[]> answers = DnsClient.tcp(port(), DnsClient.frames(
                query(1, "management.azure.com", DnsCodes.TYPE_A, 0),
                query(2, "example.org", DnsCodes.TYPE_A, 0),
                query(3, "x.his.arc.azure.com", DnsCodes.TYPE_A, 1232)), 3);
        assertEquals(List.of(LO), addresses(answers.get(0)));
        assertEquals(1, parse(answers.get(0)).id());
        assertEquals(DnsCodes.REFUSED, parse(answers.get(1)).rcode());
        assertEquals(3, parse(answers.get(2)).id());
        assertEquals(List.of(LO), addresses(answers.get(2)));
    }

    @Test
    void tcpQuerySentOneByteAtATime() throws Exception {
        start();
        try (Socket s = new Socket(LO, port())) {
            s.setSoTimeout(5000);
            DnsClient.trickle(s.getOutputStream(), DnsClient.frames(query(9, "management.azure.com", DnsCodes.TYPE_A, 0)));
            assertEquals(List.of(LO), addresses(DnsClient.read(s, 1).get(0)));
        }
    }

    @Test
    void tcpClientThatHalfClosesStillGetsItsAnswer() throws Exception {
        start();
        try (Socket s = new Socket(LO, port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(DnsClient.frames(query(9, "management.azure.com", DnsCodes.TYPE_A, 0)));
            s.shutdownOutput();
            assertEquals(List.of(LO), addresses(DnsClient.read(s, 1).get(0)));
            assertEquals(-1, s.getInputStream().read(), "then the server closes");
        }
    }

    @Test
    void tcpZeroLengthOrOversizedFrameClosesTheConnection() throws Exception {
        start();
        for (byte[] bad : new byte[][] {{0, 0}, {(byte) 0xff, (byte) 0xff}}) {
            try (Socket s = new Socket(LO, port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(bad);
                assertEquals(-1, s.getInputStream().read());
            }
        }
        assertEquals(2, counters().get(DnsResult.MALFORMED));
    }

    @Test
    void manyPipelinedTcpQueriesAllGetAnswersInOrder() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            many.append(i > 1 ? ", " : "").append("10.9.0.").append(i);
        }
        start("dns.answer = " + many, "dns.rateLimit = 0");
        byte[][] queries = new byte[1000][];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = query(i, "management.azure.com", DnsCodes.TYPE_A, 0);
        }
        List<byte[]> answers = DnsClient.tcp(port(), DnsClient.frames(queries), queries.length);
        for (int i = 0; i < queries.length; i++) {
            assertEquals(i, parse(answers.get(i)).id());
            assertEquals(40, parse(answers.get(i)).answers().size());
        }
    }

    @Test
    void largeAnswersAreTruncatedOverUdpAndWholeOverTcp() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            many.append(i > 1 ? ", " : "").append("10.9.0.").append(i);
        }
        start("dns.answer = " + many);
        byte[] classic = udp(port(), query(5, "management.azure.com", DnsCodes.TYPE_A, 0));
        DnsMessage m = parse(classic);
        assertTrue(m.truncated());
        assertTrue(m.answers().isEmpty());
        assertTrue(classic.length <= 512);
        // EDNS 1232 holds 40 A records (678 bytes + OPT).
        assertEquals(40, parse(udp(port(), query(6, "management.azure.com", DnsCodes.TYPE_A, 1232))).answers().size());
        byte[] whole = DnsClient.tcp(port(), DnsClient.frames(query(7, "management.azure.com", DnsCodes.TYPE_A, 0)), 1).get(0);
        assertEquals(40, addresses(whole).size());
        assertEquals(1, counters().truncated.sum());
    }

    @Test
    void malformedQueriesGetFormerrOrNothing() throws Exception {
        start();
        byte[] garbage = Hex.parse("ab cd 01 00 00 01 00 00 00 00 00 00 c0 0c 00 01 00 01"); // pointer loop
        assertArrayEquals(Hex.parse("ab cd 81 01 00 00 00 00 00 00 00 00"), udp(port(), garbage));
        assertNull(DnsClient.udp(LO, port(), new byte[] {1, 2, 3}, 300), "too short to answer");
        assertNull(DnsClient.udp(LO, port(), DnsWriter.answer(parse(Vectors.JDK_A), 0, true, List.of(), 1, 512), 300),
                "a response is never answered");
        assertEquals(3, counters().get(DnsResult.MALFORMED));
    }

    @Test
    void forwardsOtherNamesToTheUpstreamAndRelaysItsAnswer() throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            start("dns.upstream = 127.0.0.1:" + up.port(), "dns.forwardZones = plant.local");
            byte[] q = query(0x4242, "historian.plant.local", DnsCodes.TYPE_A, 1232);
            byte[] a = udp(port(), q);
            assertEquals(1, up.received.size());
            byte[] forwarded = up.received.get(0);
            assertNotEquals(0x4242, DnsWriter.id(forwarded), "a fresh ID upstream (1 in 65536 to collide)");
            assertArrayEquals(DnsWriter.withId(q, 0), DnsWriter.withId(forwarded, 0), "otherwise the query as sent, OPT included");
            assertArrayEquals(DnsWriter.withId(up.sent.get(0), 0x4242), a, "the answer relayed unchanged but for the ID");
            assertEquals(List.of(IpLiteral.address("192.0.2.53")), addresses(a));
            // Allowlisted names are still answered here, never forwarded.
            assertEquals(List.of(LO), addresses(udp(port(), query(1, "management.azure.com", DnsCodes.TYPE_A, 0))));
            assertEquals(1, up.received.size());
            // Over TCP too.
            byte[] t = DnsClient.tcp(port(), DnsClient.frames(query(0x4343, "mes.plant.local", DnsCodes.TYPE_A, 0)), 1).get(0);
            assertEquals(0x4343, parse(t).id());
            assertEquals(List.of(IpLiteral.address("192.0.2.53")), addresses(t));
            assertEquals(2, counters().get(DnsResult.FORWARDED));
            List<String> audit = lnm.awaitAudit(3);
            String line = audit.stream().filter(l -> l.contains("historian.plant.local")).findFirst().orElseThrow();
            assertEquals("forwarded", Lnm.field(line, "result"));
            assertEquals("127.0.0.1:" + up.port(), Lnm.field(line, "upstream"));
            assertTrue(line.contains("\"answer\":[\"192.0.2.53\"]"), line);
        }
    }

    @Test
    void silentUpstreamGivesServfailAfterTheTimeoutAndIsAskedTwice() throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            up.silent = true;
            start("dns.upstream = 127.0.0.1:" + up.port(), "dns.forwardZones = plant.local", "dns.upstreamTimeoutSeconds = 0.4");
            long t0 = System.nanoTime();
            byte[] a = udp(port(), query(77, "historian.plant.local", DnsCodes.TYPE_A, 0));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(DnsCodes.SERVFAIL, parse(a).rcode());
            assertEquals(77, parse(a).id());
            assertTrue(ms >= 350, "SERVFAIL before the timeout: " + ms + " ms");
            // the retry went out at half time; the fake upstream's own thread records it
            await().atMost(Duration.ofSeconds(10)).until(() -> up.received.size() >= 2);
            assertEquals(2, up.received.size(), "one retry within the timeout");
            assertEquals(1, counters().get(DnsResult.SERVFAIL));
        }
    }

    @Test
    void rateLimitDropsTheExcess() throws Exception {
        start("dns.rateLimit = 5");
        int answered = 0;
        try (DatagramSocket s = new DatagramSocket(0, LO)) {
            s.setSoTimeout(300);
            byte[] q = query(1, "management.azure.com", DnsCodes.TYPE_A, 0);
            for (int i = 0; i < 40; i++) {
                s.send(new java.net.DatagramPacket(q, q.length, LO, port()));
            }
            try {
                while (true) {
                    s.receive(new java.net.DatagramPacket(new byte[512], 512));
                    answered++;
                }
            } catch (java.net.SocketTimeoutException e) {
                // done
            }
        }
        assertTrue(answered >= 10 && answered <= 13, answered + " answered (burst 10, plus what refilled)");
        assertEquals(40 - answered, counters().get(DnsResult.RATELIMITED));
        // Another client has its own bucket.
        assertNotNull(udp(port(), query(2, "management.azure.com", DnsCodes.TYPE_A, 0)));
    }

    @Test
    void clientsOutsideDnsSourcesGetNothing() throws Exception {
        start("dns.sources = 10.3.0.0/16");
        assertNull(DnsClient.udp(LO, port(), query(1, "management.azure.com", DnsCodes.TYPE_A, 0), 300));
        try (Socket s = new Socket(LO, port())) {
            s.setSoTimeout(3000);
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "TCP: closed at once");
        }
        assertEquals(2, counters().get(DnsResult.SOURCE_DENIED));
        assertEquals(0, counters().get(DnsResult.ANSWERED));
    }

    @Test
    void dnsSourcesDefaultsToSources() throws Exception {
        lnm = Lnm.start(dir, config() + "sources = 10.3.0.0/16\n", ALLOWLIST);
        assertNull(DnsClient.udp(LO, port(), query(1, "management.azure.com", DnsCodes.TYPE_A, 0), 300));
        assertEquals(1, counters().get(DnsResult.SOURCE_DENIED));
    }

    @Test
    void everyQueryIsAudited() throws Exception {
        start();
        udp(port(), query(1, "Management.Azure.com", DnsCodes.TYPE_A, 0));
        udp(port(), query(2, "example.org", DnsCodes.TYPE_AAAA, 0));
        DnsClient.tcp(port(), DnsClient.frames(query(3, "x.his.arc.azure.com", DnsCodes.TYPE_TXT, 0)), 1);
        List<String> lines = lnm.awaitAudit(3);
        String a = lines.get(0);
        assertEquals("dns", Lnm.field(a, "kind"));
        assertTrue(Lnm.field(a, "client").startsWith("127.0.0.1:"), a);
        assertEquals("udp", Lnm.field(a, "transport"));
        assertEquals("management.azure.com", Lnm.field(a, "name"));
        assertEquals("A", Lnm.field(a, "type"));
        assertEquals("NOERROR", Lnm.field(a, "rcode"));
        assertEquals("answered", Lnm.field(a, "result"));
        assertEquals("management.azure.com", Lnm.field(a, "rule"));
        assertTrue(a.contains("\"answer\":[\"127.0.0.1\"]"), a);
        assertTrue(Lnm.field(a, "time").endsWith("Z"), a);
        String r = lines.get(1);
        assertEquals("REFUSED", Lnm.field(r, "rcode"));
        assertEquals("AAAA", Lnm.field(r, "type"));
        assertTrue(r.contains("\"answer\":[]"), r);
        String t = lines.get(2);
        assertEquals("tcp", Lnm.field(t, "transport"));
        assertEquals("TXT", Lnm.field(t, "type"));
        assertEquals("*.his.arc.azure.com", Lnm.field(t, "rule"));
    }

    @Test
    void noAuditUnlessAsked() throws Exception {
        lnm = Lnm.start(dir, config().replace("dns.audit = true", "dns.audit = false"), ALLOWLIST);
        udp(port(), query(1, "management.azure.com", DnsCodes.TYPE_A, 0));
        // Then a proxy connection that ends without a hello: its record is the event to wait
        // for, queued after the query was answered, and the only line in the log.
        new java.net.Socket(LO, lnm.port("https")).close();
        List<String> audit = lnm.awaitAudit(1);
        assertEquals(1, audit.size(), audit.toString());
        assertEquals("no_hello", Lnm.field(audit.get(0), "reason"), audit.toString());
    }

    @Test
    void reloadAppliesToTheNextQueryAndRebindsWhenTheAddressChanges() throws Exception {
        start();
        int before = port();
        Files.writeString(dir.resolve("lnm.properties"), config("dns.answer = 10.4.0.10, fd00::10", "dns.ttl = 5"));
        Files.writeString(dir.resolve("allowlist.properties"), ALLOWLIST + "historian.plant.local = 10.3.0.20:443\n");
        assertEquals(List.of(), lnm.app.reload());
        assertEquals(before, port(), "same dns.listen: the sockets stay");
        byte[] a = udp(port(), query(1, "historian.plant.local", DnsCodes.TYPE_A, 0));
        assertEquals(List.of(IpLiteral.address("10.4.0.10")), addresses(a));
        assertEquals(5, parse(a).answers().get(0).ttl());
        assertEquals(List.of(IpLiteral.address("fd00::10")), addresses(udp(port(), query(2, "management.azure.com", DnsCodes.TYPE_AAAA, 0))));

        Files.writeString(dir.resolve("lnm.properties"), config().replace("dns.listen = 127.0.0.1:0", "dns.listen = off"));
        assertEquals(List.of(), lnm.app.reload());
        assertFalse(lnm.app.dns().running());
        assertNull(DnsClient.udp(LO, before, query(3, "management.azure.com", DnsCodes.TYPE_A, 0), 300));

        Files.writeString(dir.resolve("lnm.properties"), config());
        assertEquals(List.of(), lnm.app.reload());
        assertEquals(List.of(LO), addresses(udp(port(), query(4, "management.azure.com", DnsCodes.TYPE_A, 0))));
    }

    @Test
    void wildcardListenAnswersWithTheAddressEachQueryWasSentTo() throws Exception {
        lnm = Lnm.start(dir, config().replace("dns.listen = 127.0.0.1:0", "dns.listen = 0"), ALLOWLIST);
        List<InetAddress> bound = lnm.app.dns().udpAddresses().stream().map(a -> a.getAddress()).toList();
        assertTrue(bound.contains(LO), bound.toString());
        assertTrue(bound.stream().allMatch(a -> a.getAddress().length == 4), "0.0.0.0 means IPv4 addresses: " + bound);
        assertTrue(lnm.app.dns().udpAddresses().stream().allMatch(a -> a.getPort() == port()), "one port for all");
        // Every address of this box, queried from this box (the packets stay on the host).
        for (InetAddress local : bound) {
            byte[] a = DnsClient.udp(local, port(), query(1, "management.azure.com", DnsCodes.TYPE_A, 0), 3000);
            assertEquals(List.of(local), addresses(a), "asked at " + local);
        }
    }

    @Test
    void ipv6WildcardServesBothFamiliesAndAnswersAcrossThem() throws Exception {
        List<InetAddress> v6 = loopbackV6();
        org.junit.jupiter.api.Assumptions.assumeFalse(v6.isEmpty(), "IPv6 is off on loopback");
        lnm = Lnm.start(dir, config().replace("dns.listen = 127.0.0.1:0", "dns.listen = [::]:0"), ALLOWLIST);
        List<InetAddress> bound = lnm.app.dns().udpAddresses().stream().map(a -> a.getAddress()).toList();
        assertTrue(bound.contains(LO) && bound.contains(v6.get(0)), bound.toString());
        assertTrue(bound.stream().noneMatch(InetAddress::isLinkLocalAddress), bound.toString());
        // Asked over IPv6, an A query gets the same interface's IPv4 address, and the other way round.
        assertEquals(List.of(LO), addresses(DnsClient.udp(v6.get(0), port(), query(1, "management.azure.com", DnsCodes.TYPE_A, 0), 3000)));
        assertEquals(v6, addresses(DnsClient.udp(v6.get(0), port(), query(2, "management.azure.com", DnsCodes.TYPE_AAAA, 0), 3000)));
        assertEquals(v6, addresses(udp(port(), query(3, "management.azure.com", DnsCodes.TYPE_AAAA, 0))));
        // TCP on [::] takes IPv4 clients too, and knows which address they asked.
        assertEquals(List.of(LO), addresses(DnsClient.tcp(port(), DnsClient.frames(query(4, "management.azure.com", DnsCodes.TYPE_A, 0)), 1).get(0)));
    }

    @Test
    void theJdkResolverGetsTheBoxAddress() throws Exception {
        start();
        java.util.Hashtable<String, String> env = new java.util.Hashtable<>();
        env.put(javax.naming.Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(javax.naming.Context.PROVIDER_URL, "dns://127.0.0.1:" + port());
        javax.naming.directory.DirContext ctx = new javax.naming.directory.InitialDirContext(env);
        javax.naming.directory.Attributes attrs = ctx.getAttributes("management.azure.com", new String[] {"A"});
        assertEquals("127.0.0.1", attrs.get("A").get());
        ctx.close();
    }

    @Test
    void startFailsWhenTheDnsPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, LO)) {
            Appliance.StartException e = assertThrows(Appliance.StartException.class,
                    () -> Lnm.start(dir, config().replace("dns.listen = 127.0.0.1:0", "dns.listen = 127.0.0.1:" + taken.getLocalPort()),
                            ALLOWLIST));
            assertTrue(e.getMessage().startsWith("dns.listen 127.0.0.1:" + taken.getLocalPort() + ": cannot bind"), e.getMessage());
        }
    }
}
