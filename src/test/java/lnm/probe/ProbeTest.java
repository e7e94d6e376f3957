package lnm.probe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.LoadResult;
import lnm.testing.Lnm;
import lnm.testing.TestConfig;
import lnm.testing.TestPki;
import lnm.testing.TlsEchoServer;

/**
 * One name along each kind of route against local TLS servers presenting the test certificate
 * (issuer {@code CN=management.azure.com}, self-signed): fixed, direct (a test resolver),
 * through a real lnm parent that reads the PROXY v2 header, through a fake HTTP proxy; and
 * every step failing: DNS, TCP, PROXY, LEVEL, TLS (no answer, untrusted, wrong name).
 */
class ProbeTest {
    private static final String ISSUER = "CN=management.azure.com";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ExecutorService lookups = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-lookup");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        lookups.shutdownNow();
    }

    // ---- routes that work ---------------------------------------------------------------------

    @Test
    void fixedRouteCompletesTheHandshakeAndNamesTheIssuer() throws Exception {
        TlsEchoServer tls = echo();
        Config c = config("level = 3\nlisten.https = 127.0.0.1:0\n", "management.azure.com = 127.0.0.1:" + tls.port() + "\n");
        List<Outcome> r = run(c, List.of(), 443, testTrust(), Settings.SYSTEM);
        assertEquals(1, r.size(), r.toString());
        Outcome o = r.get(0);
        assertEquals(Outcome.Result.OK, o.result(), o.toString());
        assertEquals(Step.TLS, o.step());
        assertEquals("fixed 127.0.0.1:" + tls.port(), o.route());
        assertEquals(ISSUER, o.issuer());
        // the server notes the SNI once its side of the handshake is done, maybe just after the probe's
        await().atMost(Duration.ofSeconds(30)).until(() -> !tls.sniSeen.isEmpty());
        assertEquals(List.of("management.azure.com"), tls.sniSeen, "the name is the SNI");
    }

    @Test
    void directRouteResolvesTheNameAndConnectsToThePortAsked() throws Exception {
        TlsEchoServer tls = echo();
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\ndirect.allowSpecialAddresses = 127.0.0.1/32\n", "allowed.example = direct\n");
        List<Outcome> r = run(c, List.of(), tls.port(), testTrust(), host -> {
            assertEquals("allowed.example", host);
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        });
        Outcome o = r.get(0);
        assertEquals(Outcome.Result.OK, o.result(), o.toString());
        assertEquals("direct 127.0.0.1:" + tls.port(), o.route());
        assertEquals(ISSUER, o.issuer());
    }

    @Test
    void parentRouteSendsTheProxyHeaderAndReportsWhichLevelRefused() throws Exception {
        TlsEchoServer tls = echo();
        Lnm parent = Lnm.start(Files.createDirectories(dir.resolve("parent")), """
                level = 4
                listen.https = 127.0.0.1:0
                listen.https.acceptProxyProtocol = 127.0.0.1/32
                """, "management.azure.com = 127.0.0.1:" + tls.port() + "\n");
        closing.add(parent);
        int pp = parent.port("https");
        Config c = config("level = 3\nlisten.https = 127.0.0.1:0\nparent = 127.0.0.1:" + pp + "\nparent.proxyProtocol = v2\n",
                "management.azure.com =\nblocked.example =\n");
        List<Outcome> r = run(c, List.of(), 443, testTrust(), Settings.SYSTEM);
        Outcome ok = r.get(0);
        assertEquals(Outcome.Result.OK, ok.result(), ok.toString());
        assertEquals("parent 127.0.0.1:" + pp, ok.route());
        assertEquals(ISSUER, ok.issuer());
        Outcome refused = r.get(1);
        assertEquals("blocked.example", refused.name());
        assertEquals(Outcome.Result.FAILED, refused.result(), refused.toString());
        assertEquals(Step.LEVEL, refused.step(), refused.toString());
        assertEquals("refused by level 4 (the parent) or a level above it: TLS alert access_denied", refused.detail());
        assertNull(refused.issuer());
        // The parent read the header: its records name this box as the origin (the client it
        // saw is this box too, over loopback), and the refusal is its own.
        List<String> audit = parent.awaitAudit(2);
        for (String rec : audit) {
            assertTrue(Lnm.field(rec, "origin").startsWith("127.0.0.1:"), rec);
        }
        assertTrue(audit.stream().anyMatch(a -> a.contains("\"sni\":\"blocked.example\"") && a.contains("not_allowlisted")), audit.toString());

        // A config that does not set its level names no level number.
        Config unset = config("listen.https = 127.0.0.1:0\nparent = 127.0.0.1:" + pp + "\nparent.proxyProtocol = v2\n", "blocked.example =\n");
        Outcome o = run(unset, List.of(), 443, testTrust(), Settings.SYSTEM).get(0);
        assertEquals("refused by the parent or a level above it: TLS alert access_denied", o.detail(), o.toString());
    }

    @Test
    void aParentThatClosesWithoutAnAlertIsTheLevelStepToo() throws Exception {
        // A parent that takes no PROXY header from this box closes the connection unanswered.
        Lnm parent = Lnm.start(Files.createDirectories(dir.resolve("parent")), "level = 4\nlisten.https = 127.0.0.1:0\n",
                "management.azure.com = direct\n");
        closing.add(parent);
        Config c = config("level = 2\nlisten.https = 127.0.0.1:0\nparent = 127.0.0.1:" + parent.port("https")
                + "\nparent.proxyProtocol = v2\n", "management.azure.com =\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM).get(0);
        assertEquals(Step.LEVEL, o.step(), o.toString());
        assertTrue(o.detail().startsWith("closed without an alert by level 3 (the parent) or a level above it"), o.detail());
    }

    @Test
    void proxyRouteAsksForATunnelToTheNameThenShakesHands() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        int proxy = fakeProxy(asked, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\nVia: test\r\n\r\n");
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\n", "management.azure.com = direct\n");
        List<Outcome> r = run(c, List.of(), 443, testTrust(), Settings.SYSTEM, List.of(new HostPort("127.0.0.1", proxy)));
        Outcome o = r.get(0);
        assertEquals(Outcome.Result.OK, o.result(), o.toString());
        assertEquals("proxy 127.0.0.1:" + proxy, o.route());
        assertEquals(ISSUER, o.issuer());
        assertEquals("CONNECT management.azure.com:443 HTTP/1.1", asked.get(0));
    }

    @Test
    void theBoxsEgressKeysGiveTheProxyItsCredentialsAndLeaveBypassedNamesDirect() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        int proxy = fakeProxy(asked, "HTTP/1.1 200 Connection established\r\n\r\n");
        Path box = Files.createDirectories(dir.resolve("box"));
        Path cred = box.resolve("proxy.cred");
        Files.writeString(cred, "probe:s3cret\n");
        Files.setPosixFilePermissions(cred, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\negress.proxy = 127.0.0.1:" + proxy
                + "\negress.proxy.credentials = proxy.cred\negress.proxy.bypass = historian.plant.local\n",
                "management.azure.com = direct\nhistorian.plant.local = direct\n");
        Map<String, Route> plan = new java.util.HashMap<>();
        Plan.of(c, List.of(), 443, Route.egressProxies(c)).forEach(t -> plan.put(t.name(), t.route()));
        assertEquals(new Route(Route.Kind.PROXY, List.of(new HostPort("127.0.0.1", proxy))), plan.get("management.azure.com"));
        assertEquals(Route.Kind.DIRECT, plan.get("historian.plant.local").kind(), "a bypassed name goes directly: " + plan);
        Outcome o = run(c, List.of("management.azure.com"), 443, testTrust(), Settings.SYSTEM, Route.egressProxies(c)).get(0);
        assertEquals(Outcome.Result.OK, o.result(), o.toString());
        assertEquals(List.of("CONNECT management.azure.com:443 HTTP/1.1", "Proxy-Authorization: Basic "
                + java.util.Base64.getEncoder().encodeToString("probe:s3cret".getBytes(StandardCharsets.UTF_8))), asked);
    }

    // ---- each step failing --------------------------------------------------------------------

    @Test
    void proxyThatRefusesIsTheProxyStep() throws Exception {
        int proxy = fakeProxy(new CopyOnWriteArrayList<>(), "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\n", "management.azure.com = direct\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM, List.of(new HostPort("127.0.0.1", proxy))).get(0);
        assertEquals(Step.PROXY, o.step(), o.toString());
        assertEquals("the proxy answered HTTP/1.1 407 Proxy Authentication Required", o.detail());
    }

    @Test
    void proxyThatAnswersNonsenseIsTheProxyStep() throws Exception {
        int proxy = fakeProxy(new CopyOnWriteArrayList<>(), "SSH-2.0-OpenSSH_9.6\r\n");
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\n", "management.azure.com = direct\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM, List.of(new HostPort("127.0.0.1", proxy))).get(0);
        assertEquals(Step.PROXY, o.step(), o.toString());
        assertTrue(o.detail().startsWith("the proxy's answer is not an HTTP response"), o.detail());
    }

    @Test
    void aDirectNameResolvingToAnAddressLnmMayNotReachIsRefusedHere() throws Exception {
        TlsEchoServer tls = echo();
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\n", "allowed.example = direct\n");
        Outcome o = run(c, List.of(), tls.port(), testTrust(), host -> new InetAddress[] {InetAddress.getLoopbackAddress()}).get(0);
        assertEquals(Outcome.Result.FAILED, o.result(), o.toString());
        assertEquals(Step.POLICY, o.step(), o.toString());
        assertEquals("refused here (destination_forbidden): 127.0.0.1 is loopback", o.detail());
        assertEquals(List.of(), tls.sniSeen, "not dialled");
    }

    @Test
    void aProxyAnswerPastItsLimitOrNoneAtAllIsTheProxyStep() throws Exception {
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\n", "management.azure.com = direct\n");
        int endless = fakeProxy(new CopyOnWriteArrayList<>(), "HTTP/1.1 200 OK\r\nX: " + "a".repeat(9000) + "\r\n\r\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM, List.of(new HostPort("127.0.0.1", endless))).get(0);
        assertEquals(Step.PROXY, o.step(), o.toString());
        assertTrue(o.detail().startsWith("the proxy's answer is"), o.detail());
        int mute = fakeProxy(new CopyOnWriteArrayList<>(), "");
        Outcome m = run(c, List.of(), 443, testTrust(), Settings.SYSTEM, List.of(new HostPort("127.0.0.1", mute))).get(0);
        assertEquals(Step.PROXY, m.step(), m.toString());
        assertTrue(m.detail().equals("no answer within 1000ms") || m.detail().startsWith("the proxy closed the connection")
                || m.detail().startsWith("gave up"), m.detail());
    }

    @Test
    void aLineStaysOneLineWhateverAServerSent() {
        Outcome o = new Outcome("a.example", "fixed 10.0.0.1:443", Outcome.Result.FAILED, Step.TLS, 5,
                "bad\r\nthing\u0000  here", "CN=Evil\nCA,O=\u00e9x");
        String line = o.line(10, 20);
        assertEquals("a.example   fixed 10.0.0.1:443    failed   TLS         5ms  bad thing? here; issuer=CN=Evil CA,O=?x", line);
    }

    @Test
    void aNameThatDoesNotResolveIsTheDnsStep() throws Exception {
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\n", "allowed.example = direct\n");
        Outcome o = run(c, List.of(), 443, testTrust(), host -> {
            throw new UnknownHostException(host);
        }).get(0);
        assertEquals(Step.DNS, o.step(), o.toString());
        assertEquals("allowed.example: does not resolve", o.detail());
        assertEquals("direct allowed.example:443", o.route());
    }

    @Test
    void aLookupThatHangsEndsAtTheStepLimit() throws Exception {
        Config c = config("level = 4\nlisten.https = 127.0.0.1:0\n", "allowed.example = direct\n");
        Outcome o = run(c, List.of(), 443, testTrust(), host -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }).get(0);
        assertEquals(Step.DNS, o.step(), o.toString());
        assertEquals("allowed.example: no answer within 1000ms", o.detail());
    }

    @Test
    void aClosedPortIsTheTcpStep() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Config c = config("level = 3\nlisten.https = 127.0.0.1:0\n", "historian.plant.local = 127.0.0.1:" + closed + "\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM).get(0);
        assertEquals(Step.TCP, o.step(), o.toString());
        assertTrue(o.detail().startsWith("127.0.0.1:" + closed + ": "), o.detail());
    }

    @Test
    void aServerThatNeverAnswersTheHelloIsTheTlsStep() throws Exception {
        ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        closing.add(silent);
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    held.add(silent.accept());
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        t.setDaemon(true);
        t.start();
        Config c = config("level = 3\nlisten.https = 127.0.0.1:0\n", "historian.plant.local = 127.0.0.1:" + silent.getLocalPort() + "\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM).get(0);
        assertEquals(Step.TLS, o.step(), o.toString());
        assertTrue(o.detail().equals("no answer within 1000ms") || o.detail().startsWith("gave up at the overall limit"), o.detail());
        for (Socket s : held) {
            s.close();
        }
    }

    @Test
    void aServerThatDripsItsAnswerIsCutAtTheOverallLimit() throws Exception {
        ServerSocket drip = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        closing.add(drip);
        Thread t = new Thread(() -> {
            try (Socket s = drip.accept()) {
                OutputStream out = s.getOutputStream();
                // a handshake record of 16 KiB announced, then one byte every 400 ms: each read
                // gets a byte within the step's limit, so only the overall limit ends it
                out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00});
                for (int i = 0; i < 100; i++) {
                    out.write(0x02);
                    out.flush();
                    Thread.sleep(400);
                }
            } catch (IOException | InterruptedException e) {
                // the probe gave up
            }
        });
        t.setDaemon(true);
        t.start();
        Config c = config("level = 3\nlisten.https = 127.0.0.1:0\n", "historian.plant.local = 127.0.0.1:" + drip.getLocalPort() + "\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM).get(0);
        assertEquals(Step.TLS, o.step(), o.toString());
        assertEquals("gave up at the overall limit of 3000ms", o.detail());
    }

    @Test
    void anUntrustedCertificateFailsWithTheJdkMessageAndStillShowsItsIssuer() throws Exception {
        TlsEchoServer tls = echo();
        Config c = config("level = 3\nlisten.https = 127.0.0.1:0\n", "management.azure.com = 127.0.0.1:" + tls.port() + "\n");
        Outcome o = run(c, List.of(), 443, Trust.jdkDefault(), Settings.SYSTEM).get(0);
        assertEquals(Outcome.Result.FAILED, o.result(), o.toString());
        assertEquals(Step.TLS, o.step(), o.toString());
        assertTrue(o.detail().contains("PKIX path building failed"), o.detail());
        assertEquals(ISSUER, o.issuer(), "an intercepting proxy's CA stands out even when it is not trusted");
    }

    @Test
    void aCertificateForAnotherNameFails() throws Exception {
        TlsEchoServer tls = echo();
        Config c = config("level = 3\nlisten.https = 127.0.0.1:0\n", "other.example = 127.0.0.1:" + tls.port() + "\n");
        Outcome o = run(c, List.of(), 443, testTrust(), Settings.SYSTEM).get(0);
        assertEquals(Step.TLS, o.step(), o.toString());
        assertTrue(o.detail().contains("other.example"), o.detail());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private TlsEchoServer echo() throws IOException {
        TlsEchoServer t = new TlsEchoServer();
        closing.add(t);
        return t;
    }

    private Config config(String props, String allowlist) throws IOException {
        Path file = TestConfig.write(Files.createDirectories(dir.resolve("box")), props, allowlist, Map.of());
        LoadResult r = Config.load(file);
        assertTrue(r.ok(), r.problems().toString());
        return r.config();
    }

    private static javax.net.ssl.X509ExtendedTrustManager testTrust() throws Exception {
        return Trust.fromFile(TestPki.get().certPem);
    }

    private List<Outcome> run(Config c, List<String> names, int port, javax.net.ssl.X509ExtendedTrustManager trust,
            Settings.Lookup lookup) {
        return run(c, names, port, trust, lookup, List.of());
    }

    private List<Outcome> run(Config c, List<String> names, int port, javax.net.ssl.X509ExtendedTrustManager trust,
            Settings.Lookup lookup, List<HostPort> proxies) {
        Settings s = new Settings(c, port, 1000, trust, lookup, lookups);
        List<Outcome> seen = new ArrayList<>();
        Consumer<Outcome> inOrder = seen::add;
        List<Outcome> r = ProbeRun.run(Plan.of(c, names, port, proxies), s, 4, inOrder);
        assertEquals(r, seen, "handed on in the plan's order");
        return r;
    }

    /**
     * A fake HTTP proxy: reads the request head, records its request line (and a
     * {@code Proxy-Authorization} line after it when there is one), writes
     * {@code answer}; after a 200 it is the TLS server itself (the test certificate).
     */
    private int fakeProxy(List<String> asked, String answer) throws IOException {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        closing.add(server);
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n") && head.length() < 8192) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.append((char) b);
                }
                asked.add(head.substring(0, head.indexOf("\r\n")));
                for (String line : head.toString().split("\r\n")) {
                    if (line.startsWith("Proxy-Authorization: ")) {
                        asked.add(line);
                    }
                }
                OutputStream out = s.getOutputStream();
                out.write(answer.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (answer.contains(" 200 ")) {
                    SSLSocket tls = (SSLSocket) TestPki.get().serverContext().getSocketFactory().createSocket(s, null, s.getPort(), false);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    tls.getInputStream().read();
                } else {
                    s.getInputStream().read();
                }
            } catch (IOException e) {
                // the probe went away
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }
}
