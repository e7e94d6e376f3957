package lnm.side;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import lnm.config.CidrSet;
import lnm.http.RequestHead;
import lnm.testing.RawHttp;

/**
 * The side ports' server on loopback, attacked as a device below would: held connections, slow
 * and oversized requests, a blocked handler, foreign Host headers. No timing is judged; socket
 * timeouts only guard against a hang.
 */
class SideServerTest {
    private static final int GUARD_MILLIS = 30_000;

    private final List<Socket> held = new ArrayList<>();
    private final AtomicReference<SideRules> rules = new AtomicReference<>(
            new SideRules(CidrSet.any(), false, 1000, 0, 64, null));
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicReference<SideRequest> seen = new AtomicReference<>();
    private SideServer server;

    /** Quick: /healthz; /slow blocks its worker until {@link #release}; bodies up to 100 bytes on /post. */
    private final SideHandler handler = new SideHandler() {
        @Override
        public int maxBody(RequestHead head) {
            return head.pathWithoutQuery().equals("/post") ? 100 : 0;
        }

        @Override
        public boolean quick(RequestHead head) {
            return head.pathWithoutQuery().equals("/healthz");
        }

        @Override
        public SideResponse handle(SideRequest r) {
            seen.set(r);
            if (r.path().equals("/slow")) {
                try {
                    release.await(GUARD_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (r.path().equals("/boom")) {
                throw new IllegalStateException("handler failed");
            }
            return SideResponse.text(200, "ok " + r.path() + " " + r.body().length);
        }
    };

    private void start(long requestMillis) throws IOException {
        server = new SideServer(new InetSocketAddress("127.0.0.1", 0), "test", handler, rules::get, requestMillis);
    }

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        for (Socket s : held) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(server.address(), GUARD_MILLIS);
        s.setSoTimeout(GUARD_MILLIS);
        return s;
    }

    private String exchange(String request) throws IOException {
        return RawHttp.exchange(server.address(), request);
    }

    private static String readAll(InputStream in) throws IOException {
        return RawHttp.readAll(in);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** Opens {@code n} connections that each send one byte of a request and then wait. */
    private void hold(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            Socket s = connect();
            s.getOutputStream().write('G');
            held.add(s);
        }
    }

    @Test
    void answersOneRequestAndCloses() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        String a = exchange(get("/x?token=1"));
        assertTrue(a.startsWith("HTTP/1.1 200 OK\r\n"), a);
        assertTrue(a.contains("\r\nConnection: close\r\n"), a);
        assertTrue(a.contains("\r\nContent-Length: 8\r\n"), a);
        assertTrue(a.endsWith("\r\n\r\nok /x 0\n"), a);
    }

    @Test
    void headGetsTheHeadAlone() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        String a = exchange("HEAD /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(a.contains("Content-Length: 8\r\n"), a);
        assertTrue(a.endsWith("\r\n\r\n"), a);
    }

    @Test
    void aCrowdOfHeldConnectionsNeverLocksOutAHealthCheck() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        hold(SideServer.MAX_CONNECTIONS + 50); // past the port's cap: the oldest are closed to make room
        for (int i = 0; i < 5; i++) {
            assertTrue(exchange(get("/healthz")).startsWith("HTTP/1.1 200"), "health check " + i);
            assertTrue(exchange(get("/other")).startsWith("HTTP/1.1 200"), "request " + i);
        }
        long[] c = server.stats().counts();
        assertTrue(c[3] >= 50, "evicted: " + c[3]);
    }

    @Test
    void aSourceAtItsCapLosesItsOldestUnfinishedConnection() throws IOException {
        rules.set(new SideRules(CidrSet.any(), false, 5, 0, 64, null));
        start(SideServer.REQUEST_MILLIS);
        hold(5);
        assertTrue(exchange(get("/x")).startsWith("HTTP/1.1 200"));
        assertEquals(-1, held.get(0).getInputStream().read(), "the oldest held connection was closed");
    }

    @Test
    void busyWorkersNeverDelayTheQuickPathAndOneSourceCannotTakeThemAll() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        int extra = 10;
        List<Socket> flood = new ArrayList<>();
        for (int i = 0; i < SideServer.WORK_PER_SOURCE + extra; i++) {
            Socket s = connect();
            s.getOutputStream().write(get("/slow").getBytes(StandardCharsets.ISO_8859_1));
            flood.add(s);
            held.add(s);
        }
        // The loop reads the requests in its own time: once all are in, those past the source's share were refused.
        await().atMost(Duration.ofMillis(GUARD_MILLIS)).until(() -> server.stats().counts()[2] >= extra);
        assertTrue(exchange(get("/healthz")).startsWith("HTTP/1.1 200"), "answered while the workers are blocked");
        Socket other = new Socket();
        held.add(other);
        other.bind(new InetSocketAddress("127.0.0.2", 0));
        other.connect(server.address(), GUARD_MILLIS);
        other.setSoTimeout(GUARD_MILLIS);
        other.getOutputStream().write(get("/slow").getBytes(StandardCharsets.ISO_8859_1));
        await().atMost(Duration.ofMillis(GUARD_MILLIS)).until(() -> server.stats().counts()[2] == extra
                && server.queued() == SideServer.WORK_PER_SOURCE - SideServer.WORKERS + 1); // queued behind the flood
        release.countDown();
        assertTrue(readAll(other.getInputStream()).startsWith("HTTP/1.1 200"), "another source still got a worker");
        int ok = 0;
        int busy = 0;
        for (Socket s : flood) {
            String a = readAll(s.getInputStream());
            ok += a.startsWith("HTTP/1.1 200") ? 1 : 0;
            busy += a.startsWith("HTTP/1.1 503") ? 1 : 0;
        }
        assertEquals(SideServer.WORK_PER_SOURCE, ok);
        assertEquals(extra, busy);
    }

    @Test
    void aSlowClientIsClosedAtItsDeadline() throws IOException {
        start(300);
        hold(3);
        for (Socket s : held) {
            assertEquals(-1, s.getInputStream().read(), "closed at the deadline");
        }
        assertEquals(3, server.stats().counts()[4]);
    }

    @Test
    void clientsOutsideSourcesAreRefused() throws IOException {
        rules.set(new SideRules(CidrSet.parse("10.0.0.0/8"), false, 1000, 0, 64, null));
        start(SideServer.REQUEST_MILLIS);
        String a = exchange(get("/x"));
        assertTrue(a.isEmpty() || a.startsWith("HTTP/1.1 403"), a);
        assertEquals(1, server.stats().counts()[0]);
        assertEquals(null, seen.get());
        rules.set(new SideRules(CidrSet.parse("10.0.0.0/8"), true, 1000, 0, 64, null));
        assertTrue(exchange(get("/x")).startsWith("HTTP/1.1 200"), "loopback admitted when the port says so");
    }

    @Test
    void overTheRateNewConnectionsAreRefused() throws IOException {
        rules.set(new SideRules(CidrSet.any(), false, 1000, 1, 64, null));
        start(SideServer.REQUEST_MILLIS);
        int refused = 0;
        for (int i = 0; i < 20; i++) {
            String a = exchange(get("/x"));
            refused += a.startsWith("HTTP/1.1 200") ? 0 : 1;
        }
        assertTrue(refused > 0);
        assertEquals(refused, server.stats().counts()[1]);
    }

    @Test
    void hostHeadersAreIpLiteralsLocalhostOrListedNames() throws IOException {
        rules.set(new SideRules(CidrSet.any(), true, 1000, 0, 64, Set.of("lnm.plant.local")));
        start(SideServer.REQUEST_MILLIS);
        String rebound = exchange("GET /connections HTTP/1.1\r\nHost: attacker.example:9090\r\n\r\n");
        assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
        assertEquals(null, seen.get(), "the handler never saw it");
        for (String host : List.of("127.0.0.1:9090", "[::1]:9090", "localhost:9090", "LNM.plant.local", "10.3.0.5")) {
            String a = exchange("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertTrue(a.startsWith("HTTP/1.1 200"), host + ": " + a);
        }
    }

    @Test
    void bodiesAreBoundedAndNeedALength() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        String body = "x".repeat(100);
        String ok = exchange("POST /post HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n" + body);
        assertTrue(ok.endsWith("ok /post 100\n"), ok);
        assertEquals(body, new String(seen.get().body(), StandardCharsets.ISO_8859_1));
        String big = exchange("POST /post HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 101\r\n\r\n");
        assertTrue(big.startsWith("HTTP/1.1 413"), big);
        String none = exchange("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\n\r\nx");
        assertTrue(none.startsWith("HTTP/1.1 413"), none);
        String chunked = exchange("POST /post HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
        assertTrue(chunked.startsWith("HTTP/1.1 411"), chunked);
    }

    @Test
    void expectContinueGetsTheInterimAnswer() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("POST /post HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] interim = s.getInputStream().readNBytes(25);
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(interim, StandardCharsets.ISO_8859_1));
            out.write("abc".getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(readAll(s.getInputStream()).endsWith("ok /post 3\n"));
        }
    }

    @Test
    void badHeadsGetTheirStatusAndTheServerGoesOn() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        assertTrue(exchange("\u0016\u0003\u0001\u0000\u0010hello\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(exchange("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + "a".repeat(SideServer.HEAD_BYTES) + "\r\n\r\n")
                .startsWith("HTTP/1.1 431"));
        assertTrue(exchange("GET http://127.0.0.1/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(exchange(get("/boom")).startsWith("HTTP/1.1 500"));
        assertTrue(exchange(get("/x")).startsWith("HTTP/1.1 200"));
    }

    @Test
    void bodiesInFlightTogetherStayWithinTheBudget() throws IOException {
        SideHandler big = new SideHandler() {
            @Override
            public int maxBody(RequestHead head) {
                return 64 * 1024;
            }

            @Override
            public SideResponse handle(SideRequest r) {
                return SideResponse.text(200, "ok");
            }
        };
        server = new SideServer(new InetSocketAddress("127.0.0.1", 0), "test", big, rules::get, 1000);
        int fits = SideServer.BODY_BUDGET / (64 * 1024);
        for (int i = 0; i < fits + 3; i++) { // each announces 64 KiB and sends none of it
            Socket s = connect();
            s.getOutputStream().write("POST /p HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65536\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            held.add(s);
        }
        int busy = 0;
        for (Socket s : held) { // the rest are closed at their deadline
            busy += readAll(s.getInputStream()).startsWith("HTTP/1.1 503") ? 1 : 0;
        }
        assertEquals(3, busy);
    }

    @Test
    void closedServerRefusesConnections() throws IOException {
        start(SideServer.REQUEST_MILLIS);
        InetSocketAddress a = server.address();
        server.close();
        server = null;
        boolean refused;
        try (Socket s = new Socket()) {
            s.connect(a, GUARD_MILLIS);
            s.setSoTimeout(GUARD_MILLIS);
            refused = s.getInputStream().read() < 0;
        } catch (IOException e) {
            refused = !(e instanceof SocketTimeoutException);
        }
        assertTrue(refused);
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("lnm-test-http")),
                "the loop thread ended");
    }
}
