package lnm.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.audit.AuditLog;
import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.dns.Resolver;
import lnm.floor.NicWatch;
import lnm.upstream.AddressHealth;
import lnm.upstream.ParentSet;
import lnm.testing.TcpServer;

/**
 * A listener named by interface follows that interface's addresses without a restart. The
 * interface here is a listing the test controls, with addresses of the loopback range
 * (127.0.0.2, 127.0.0.3, every one of them local on Linux), so no root and no real interface is
 * needed; {@code InterfaceNetnsTest} does the same with {@code ip addr} in a namespace.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InterfaceListenerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final InetAddress A = ip(127, 0, 0, 2);
    private static final InetAddress B = ip(127, 0, 0, 3);

    @TempDir
    Path dir;
    private final AtomicReference<Map<String, List<InetAddress>>> listed = new AtomicReference<>(Map.of());
    private NicWatch nics;
    private Server server;
    private AuditLog audit;
    private TcpServer echo;
    private Resolver resolver;

    @AfterEach
    void tearDown() throws Exception {
        if (nics != null) {
            nics.close();
        }
        if (server != null) {
            server.shutdown(0);
        }
        if (audit != null) {
            audit.close();
        }
        if (resolver != null) {
            resolver.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    /** lnm with one tcp listener on interface {@code nicfake0}, relaying to an echo server. */
    private void start(List<InetAddress> initially) throws Exception {
        assertEquals(List.of(), start(initially, 0));
    }

    /** The same on a fixed port; the problems the start reported. */
    private List<String> start(List<InetAddress> initially, int port) throws Exception {
        echo = new TcpServer(s -> s.getInputStream().transferTo(s.getOutputStream()));
        Files.writeString(dir.resolve("allowlist.properties"), "");
        Files.writeString(dir.resolve("lnm.properties"), "level = 3\nloop.threads = 2\nlisten.t = nicfake0:" + port + "\n"
                + "listen.t.mode = tcp\nlisten.t.target = 127.0.0.1:" + echo.port() + "\nallowlist = allowlist.properties\n"
                + "admin.listen = off\nlimits.perSourceRate = off\n");
        LoadResult r = Config.load(dir.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        Config c = r.config();
        listed.set(Map.of("nicfake0", initially));
        nics = new NicWatch(listed::get, 20);
        nics.watch(c.namedInterfaces());
        audit = new AuditLog(dir.resolve("audit.jsonl"), 0, 0, 64);
        resolver = new Resolver(1, 0, InetAddress::getAllByName); // the target is a literal: no lookup
        java.util.function.LongSupplier clock = () -> System.nanoTime() / 1_000_000;
        server = new Server(new Services(c, audit, resolver, new ParentSet(c, clock), new AddressHealth(clock, c.parentDownMillis()),
                rec -> { }), nics);
        List<String> problems = server.start();
        if (problems.isEmpty()) {
            nics.start();
        } else {
            server = null; // nothing started
        }
        return problems;
    }

    @Test
    void hundredsOfAddressesAreCapped() throws Exception {
        List<InetAddress> many = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(ip(127, 0, 1 + i / 250, 1 + i % 250));
        }
        start(many);
        assertEquals(NicWatch.MAX_ADDRESSES, server.addresses("t").size());
        int port = server.address("t").orElseThrow().getPort();
        try (Socket s = new Socket(many.get(NicWatch.MAX_ADDRESSES - 1), port)) {
            assertEquals("last", roundTrip(s, "last"));
        }
        assertThrows(ConnectException.class, () -> new Socket(many.get(NicWatch.MAX_ADDRESSES), port).close(),
                "an address past the cap is not bound");
    }

    @Test
    void aTakenPortFailsTheStartOnlyWhenNoAddressCanBeBound() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 5, A)) {
            int port = taken.getLocalPort();
            List<String> problems = start(List.of(A), port);
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("listener t: cannot bind nicfake0:" + port + ": "), problems.get(0));
            tearDown();
            nics = null;
            echo = null;
            audit = null;
            resolver = null;
            assertEquals(List.of(), start(List.of(A, B), port), "one address binds: the other is retried at each poll");
            assertEquals(List.of(new InetSocketAddress(B, port)), server.addresses("t"));
            taken.close();
            await().atMost(PATIENCE).until(() -> server.addresses("t").size() == 2);
        }
    }

    @Test
    void followsAnAddressChangeWithoutARestart() throws Exception {
        start(List.of(A));
        int port = server.address("t").orElseThrow().getPort();
        assertEquals(List.of(new InetSocketAddress(A, port)), server.addresses("t"));
        assertTrue(server.ready());
        try (Socket held = new Socket(A, port)) {
            assertEquals("one", roundTrip(held, "one"));

            listed.set(Map.of("nicfake0", List.of(B))); // re-addressed: A left, B came
            await().atMost(PATIENCE).until(() -> server.addresses("t").equals(List.of(new InetSocketAddress(B, port))));
            try (Socket fresh = new Socket(B, port)) {
                assertEquals("new address", roundTrip(fresh, "new address"));
            }
            assertThrows(ConnectException.class, () -> new Socket(A, port).close(), "the old address is closed");
            assertEquals("two", roundTrip(held, "two"), "the connection made on the old address keeps relaying");
            assertTrue(server.ready());
        }
    }

    @Test
    void waitsForAnInterfaceWithoutAddressesAndCountsAsNotBound() throws Exception {
        start(List.of());
        assertEquals(List.of(), server.addresses("t"));
        assertFalse(server.ready(), "no address: the listener is not bound");
        listed.set(Map.of("nicfake0", List.of(A, B)));
        await().atMost(PATIENCE).until(() -> server.addresses("t").size() == 2);
        assertTrue(server.ready());
        int port = server.address("t").orElseThrow().getPort();
        assertEquals(List.of(new InetSocketAddress(A, port), new InetSocketAddress(B, port)), server.addresses("t"),
                "every address of the interface, on one port");
        for (InetAddress a : List.of(A, B)) {
            try (Socket s = new Socket(a, port)) {
                assertEquals("hi", roundTrip(s, "hi"));
            }
        }
        listed.set(Map.of()); // the interface went down or away
        await().atMost(PATIENCE).until(() -> server.addresses("t").isEmpty());
        assertFalse(server.ready());
    }

    @Test
    void flappingAddressesSettleOnTheLastState() throws Exception {
        start(List.of(A));
        int port = server.address("t").orElseThrow().getPort();
        try (Socket held = new Socket(A, port)) {
            for (int i = 0; i < 40; i++) {
                listed.set(Map.of("nicfake0", i % 2 == 0 ? List.of(B) : List.of(A, B)));
                nics.pollSoon();
                Thread.sleep(5); // not a timing assertion: only lets some polls see each state
            }
            listed.set(Map.of("nicfake0", List.of(B)));
            await().atMost(PATIENCE).until(() -> server.addresses("t").equals(List.of(new InetSocketAddress(B, port))));
            try (Socket fresh = new Socket(B, port)) {
                assertEquals("settled", roundTrip(fresh, "settled"));
            }
            assertEquals("still", roundTrip(held, "still"));
        }
    }

    @Test
    void aReloadMovesAListenerBetweenAnAddressAndAnInterface() throws Exception {
        start(List.of(B));
        int port = server.address("t").orElseThrow().getPort();
        Config onAddress = reload("listen.t = 127.0.0.2:" + port);
        assertEquals(List.of(), server.apply(onAddress));
        assertEquals(List.of(new InetSocketAddress(A, port)), server.addresses("t"));
        assertThrows(ConnectException.class, () -> new Socket(B, port).close());

        Config onInterface = reload("listen.t = nicfake0:" + port);
        nics.watch(onInterface.namedInterfaces()); // as the appliance does before applying a reload
        assertEquals(List.of(), server.apply(onInterface));
        assertEquals(List.of(new InetSocketAddress(B, port)), server.addresses("t"));
        try (Socket s = new Socket(B, port)) {
            assertEquals("back", roundTrip(s, "back"));
        }
    }

    /** The running config with its listener line replaced. */
    private Config reload(String listenLine) throws Exception {
        Path f = dir.resolve("lnm.properties");
        String text = Files.readString(f).replaceAll("(?m)^listen\\.t = .*$", listenLine);
        Files.writeString(f, text);
        LoadResult r = Config.load(f);
        assertTrue(r.ok(), r.problems().toString());
        return r.config();
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.setSoTimeout(20_000);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(b);
        out.flush();
        InputStream in = s.getInputStream();
        byte[] got = new byte[b.length];
        new DataInputStream(in).readFully(got);
        return new String(got, StandardCharsets.UTF_8);
    }

    private static InetAddress ip(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
