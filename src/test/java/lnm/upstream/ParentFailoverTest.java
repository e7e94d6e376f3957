package lnm.upstream;

import static lnm.testing.Lnm.field;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.admin.AdminHttp;
import lnm.testing.Lnm;
import lnm.testing.TestPki;
import lnm.testing.TlsEchoServer;
import lnm.testing.RawHttp;

/**
 * A level-3 lnm with two level-4 parents (in-process, on loopback) in front of a real TLS
 * server: a parent that goes away is passed over within the same connection, the audit names
 * the parent used, the active check brings it back, round-robin spreads, and a fixed
 * destination with several addresses moves to the next address. Every wait is for an event.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParentFailoverTest {
    private static final String NAME = "management.azure.com";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    TlsEchoServer tls;
    final List<Lnm> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        tls = new TlsEchoServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Lnm l : started) {
            l.close();
        }
        tls.close();
    }

    @Test
    void aStoppedParentIsPassedOverInTheSameConnectionWithTheProxyHeaderAndHello() throws Exception {
        Lnm a = parent("a", 0);
        Lnm b = parent("b", 0);
        String pa = "127.0.0.1:" + a.port("https");
        String pb = "127.0.0.1:" + b.port("https");
        // No active check: only the connection itself can find out.
        Lnm child = child(pa + ", " + pb, "failover", "parent.check = off");
        echo(child);
        assertEquals(pa, field(child.awaitAudit(1).get(0), "upstream"));

        a.close();
        String r = echoAndAudit(child, 2);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("parent", field(r, "via"), r);
        assertEquals(pb, field(r, "upstream"), r);
        assertEquals("1", metric(child, "lnm_parent_failures_total", pa));
        assertEquals("0", metric(child, "lnm_parent_up", pa), "marked down by the connection that found it gone");

        // The parent used got the PROXY v2 header (the child's client as origin) and the hello.
        await().atMost(WAIT).until(() -> b.audit().stream().anyMatch(l -> NAME.equals(field(l, "sni"))));
        String atB = b.audit().stream().filter(l -> NAME.equals(field(l, "sni"))).findFirst().orElseThrow();
        assertEquals("allow", field(atB, "decision"), atB);
        assertEquals(field(r, "client"), field(atB, "origin"), atB);

        String next = echoAndAudit(child, 3);
        assertEquals(pb, field(next, "upstream"), next);
        assertEquals("1", metric(child, "lnm_parent_failures_total", pa), "a parent marked down is tried last");
        assertEquals("2", metric(child, "lnm_parent_attempts_total", pb));
    }

    @Test
    void everyConnectionSucceedsWhileTheFirstIsDownAndTheActiveCheckBringsItBack() throws Exception {
        Lnm a = parent("a", 0);
        Lnm b = parent("b", 0);
        int portA = a.port("https");
        String pa = "127.0.0.1:" + portA;
        String pb = "127.0.0.1:" + b.port("https");
        Lnm child = child(pa + ", " + pb, "failover", "parent.checkSeconds = 0.2");

        a.close();
        for (int i = 1; i <= 3; i++) {
            String r = echoAndAudit(child, i);
            assertEquals(pb, field(r, "upstream"), r);
        }
        await().atMost(WAIT).until(() -> metric(child, "lnm_parent_up", pa).equals("0"));

        parent("a2", portA);
        await().atMost(WAIT).until(() -> metric(child, "lnm_parent_up", pa).equals("1"));
        String back = echoAndAudit(child, 4);
        assertEquals(pa, field(back, "upstream"), "failover goes to the first parent again: " + back);
    }

    @Test
    void roundRobinSpreadsConnectionsOverBothParents() throws Exception {
        String pa = "127.0.0.1:" + parent("a", 0).port("https");
        String pb = "127.0.0.1:" + parent("b", 0).port("https");
        Lnm child = child(pa + ", " + pb, "round-robin", "parent.check = off");
        List<String> used = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            used.add(field(echoAndAudit(child, i), "upstream"));
        }
        assertEquals(2, used.stream().filter(pa::equals).count(), used.toString());
        assertEquals(2, used.stream().filter(pb::equals).count(), used.toString());
    }

    @Test
    void httpConnectThroughTheChildFailsOverToo() throws Exception {
        String dead = "127.0.0.1:" + RawHttp.closedPort();
        Lnm b = parent("b", 0);
        String pb = "127.0.0.1:" + b.port("https");
        Lnm child = start("child", """
                level = 3
                listen.proxy = 127.0.0.1:0
                listen.proxy.mode = http
                parent = %s, %s
                parent.check = off
                parent.proxyProtocol = v2
                """.formatted(dead, pb), NAME + " = parent\n", null);
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), child.port("proxy"))) {
            raw.setSoTimeout(20_000);
            raw.getOutputStream().write(("CONNECT " + NAME + ":443 HTTP/1.1\r\nHost: " + NAME + ":443\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String head = RawHttp.readHead(raw.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            SSLSocket s = (SSLSocket) TestPki.get().clientContext().getSocketFactory().createSocket(raw, NAME, 443, true);
            exchange(s);
        }
        String r = child.awaitAudit(1).get(0);
        assertEquals("parent", field(r, "via"), r);
        assertEquals(pb, field(r, "upstream"), r);
    }

    @Test
    void aFixedDestinationWithSeveralAddressesMovesToTheNextInTheSameConnection() throws Exception {
        // 127.0.0.2 is loopback too, but nothing listens there on the echo server's port.
        Lnm lnm = start("fixed", """
                level = 3
                listen.https = 127.0.0.1:0
                parent.downSeconds = 3600
                """, NAME + " = twice.internal:" + tls.port() + "\n", host -> {
                    if (!host.equals("twice.internal")) {
                        throw new UnknownHostException(host);
                    }
                    return new InetAddress[] {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")};
                });
        String r = echoAndAudit(lnm, 1);
        assertEquals("fixed", field(r, "via"), r);
        assertEquals("127.0.0.1:" + tls.port(), field(r, "upstream"), r);
        assertEquals(1, lnm.app.addresses().downCount(), "the refused address is tried last for a while");
        String again = echoAndAudit(lnm, 2);
        assertEquals("127.0.0.1:" + tls.port(), field(again, "upstream"), again);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A level-4 parent that sends {@link #NAME} to the TLS server and trusts PROXY v2 from loopback. */
    private Lnm parent(String name, int port) throws Exception {
        return start(name, """
                level = 4
                listen.https = 127.0.0.1:%d
                listen.https.acceptProxyProtocol = 127.0.0.1/32
                """.formatted(port), NAME + " = 127.0.0.1:" + tls.port() + "\n", null);
    }

    /** A level-3 child of {@code parents}; a passive mark lasts the whole test. */
    private Lnm child(String parents, String balance, String check) throws Exception {
        return start("child", """
                level = 3
                listen.https = 127.0.0.1:0
                admin.listen = 127.0.0.1:0
                parent = %s
                parent.balance = %s
                parent.downSeconds = 3600
                parent.proxyProtocol = v2
                %s
                """.formatted(parents, balance, check), NAME + " = parent\n", null);
    }

    private Lnm start(String name, String config, String allowlist, lnm.dns.Resolver.Lookup lookup) throws Exception {
        Lnm l = Lnm.start(Files.createDirectories(dir.resolve(name)), config, allowlist, lookup);
        started.add(l);
        return l;
    }

    /** A TLS connection through {@code lnm}'s https listener; the echo must come back. */
    private static void echo(Lnm lnm) throws Exception {
        exchange((SSLSocket) TestPki.get().clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), lnm.port("https")));
    }

    /** {@link #echo}, then the audit record of that connection, the {@code n}th. */
    private static String echoAndAudit(Lnm lnm, int n) throws Exception {
        echo(lnm);
        return lnm.awaitAudit(n).get(n - 1);
    }

    private static void exchange(SSLSocket s) throws Exception {
        try (s) {
            s.setSoTimeout(20_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(NAME)));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            byte[] back = new DataInputStream(s.getInputStream()).readNBytes(5);
            assertEquals("ping\n", new String(back, StandardCharsets.US_ASCII));
        }
    }

    /** The value of {@code name{parent="..."}} on /metrics, or "missing". */
    private static String metric(Lnm lnm, String name, String parent) throws Exception {
        for (String line : AdminHttp.get(lnm, "/metrics").body().split("\n")) {
            if (line.startsWith(name + "{parent=\"" + parent + "\"}")) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "missing";
    }

}
