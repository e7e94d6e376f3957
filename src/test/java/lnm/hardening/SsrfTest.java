package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.TcpServer;

/**
 * No open-proxy or SSRF paths through {@code direct}: a DNS answer that points at this box
 * (loopback, its own interface addresses), the link-local metadata endpoint, multicast or an
 * unspecified address is refused as {@code destination_forbidden} before any connect; the
 * connection goes to the very address that was checked (one lookup per connection, so a
 * rebinding DNS cannot swap it in between); {@code direct.allowSpecialAddresses} and fixed targets are
 * the explicit ways to reach such addresses.
 *
 * <p>The listener's own port is the upstream port of a {@code direct} destination, so a check
 * that let loopback through would have lnm connect to itself: the exact audit count (one
 * record per client connection) catches that loop as well.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SsrfTest {
    @TempDir
    Path dir;

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetAddress mappedV6(int a, int b, int c, int d) {
        byte[] v = new byte[16];
        v[10] = (byte) 0xff;
        v[11] = (byte) 0xff;
        v[12] = (byte) a;
        v[13] = (byte) b;
        v[14] = (byte) c;
        v[15] = (byte) d;
        try {
            return Inet6Address.getByAddress(null, v, -1); // stays an Inet6Address
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The box's own non-loopback addresses (they differ per machine). */
    static List<InetAddress> ownAddresses() throws Exception {
        List<InetAddress> l = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    // as DNS would answer it: no interface scope
                    l.add(InetAddress.getByAddress(a.getAddress()));
                }
            }
        }
        return l;
    }

    @Test
    void answersPointingInwardsAreRefusedBeforeAnyConnect() throws Exception {
        Map<String, InetAddress[]> answers = new LinkedHashMap<>();
        answers.put("lo.ssrf.example", new InetAddress[] {ip("127.0.0.1")});
        answers.put("lo-other.ssrf.example", new InetAddress[] {ip("127.45.6.7")});
        answers.put("lo6.ssrf.example", new InetAddress[] {ip("::1")});
        answers.put("mapped-lo.ssrf.example", new InetAddress[] {mappedV6(127, 0, 0, 1)});
        answers.put("metadata.ssrf.example", new InetAddress[] {ip("169.254.169.254")});
        answers.put("mapped-metadata.ssrf.example", new InetAddress[] {mappedV6(169, 254, 169, 254)});
        answers.put("ll6.ssrf.example", new InetAddress[] {ip("fe80::1")});
        answers.put("mc.ssrf.example", new InetAddress[] {ip("224.0.0.1")});
        answers.put("mc6.ssrf.example", new InetAddress[] {ip("ff02::1")});
        answers.put("any.ssrf.example", new InetAddress[] {ip("0.0.0.0")});
        answers.put("any6.ssrf.example", new InetAddress[] {ip("::")});
        answers.put("zero-net.ssrf.example", new InetAddress[] {ip("0.1.2.3")});
        answers.put("broadcast.ssrf.example", new InetAddress[] {ip("255.255.255.255")});
        answers.put("cgnat.ssrf.example", new InetAddress[] {ip("100.64.0.1")});
        answers.put("cgnat-top.ssrf.example", new InetAddress[] {ip("100.127.255.254")});
        answers.put("azure-host.ssrf.example", new InetAddress[] {ip("168.63.129.16")});
        answers.put("mapped-azure-host.ssrf.example", new InetAddress[] {mappedV6(168, 63, 129, 16)});
        answers.put("ula.ssrf.example", new InetAddress[] {ip("fc00::1")});
        answers.put("ula-fd.ssrf.example", new InetAddress[] {ip("fd12:3456::1")});
        answers.put("all-bad.ssrf.example", new InetAddress[] {ip("127.0.0.1"), ip("169.254.169.254"), ip("::1")});
        List<InetAddress> own = ownAddresses();
        for (int i = 0; i < own.size(); i++) {
            answers.put("own" + i + ".ssrf.example", new InetAddress[] {own.get(i)});
        }
        Map<String, AtomicInteger> asked = new LinkedHashMap<>();
        answers.keySet().forEach(k -> asked.put(k, new AtomicInteger()));
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ndns.cacheSeconds = 0\n", "*.ssrf.example = direct\n", host -> {
            InetAddress[] a = answers.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            asked.get(host).incrementAndGet();
            return a;
        })) {
            for (String name : answers.keySet()) {
                Client.End end;
                try (Client c = Client.connect(box.address("https")).send(Hellos.clientHello(name))) {
                    end = c.drain(Duration.ofSeconds(30)); // refused with an alert, not cut by the hello timeout
                }
                assertTrue(end.eof(), name + ": " + end);
                assertArrayEquals(Client.alert(80), end.bytes(), name + ": " + end);
            }
            List<String> records = box.assertAuditComplete(answers.size(), Duration.ofSeconds(10));
            for (String r : records) {
                String name = Box.field(r, "sni");
                assertEquals("destination_forbidden", Box.field(r, "reason"), r);
                assertEquals("deny", Box.field(r, "decision"), r);
                assertEquals("direct", Box.field(r, "via"), r);
                assertEquals("-1", String.valueOf(connectMs(r)), "no connect may be tried: " + r);
                assertEquals(1, asked.get(name).get(), name + " looked up " + asked.get(name) + " times");
            }
            System.out.println("ssrf: " + answers.size() + " inward answers refused, incl. own addresses " + own);
        }
    }

    @Test
    void anOptInOpensItsRangeOnly() throws Exception {
        // 127.0.0.2 let through; the Azure host endpoint, CGNAT space and the rest of loopback
        // stay refused, before any connect.
        Map<String, InetAddress> answers = Map.of("ok.ssrf.example", ip("127.0.0.2"),
                "azure-host.ssrf.example", ip("168.63.129.16"), "cgnat.ssrf.example", ip("100.64.0.1"),
                "lo.ssrf.example", ip("127.0.0.1"));
        byte[] hello = Hellos.clientHello("ok.ssrf.example");
        AtomicInteger served = new AtomicInteger();
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ndirect.allowSpecialAddresses = 127.0.0.2\n",
                "*.ssrf.example = direct\n", host -> new InetAddress[] {answers.get(host)})) {
            Upstream up = new Upstream(ip("127.0.0.2"), box.port("https"), hello.length, served);
            try {
                try (Client c = Client.connect(box.address("https")).send(hello)) {
                    assertEquals('Y', c.read(1, Duration.ofSeconds(5))[0]);
                }
                List<String> refused = List.of("azure-host.ssrf.example", "cgnat.ssrf.example", "lo.ssrf.example");
                for (String name : refused) {
                    try (Client c = Client.connect(box.address("https")).send(Hellos.clientHello(name))) {
                        assertArrayEquals(Client.alert(80), c.drain(Duration.ofSeconds(5)).bytes(), name);
                    }
                }
                List<String> r = box.assertAuditComplete(4, Duration.ofSeconds(20));
                assertEquals("allowlist:*.ssrf.example", Box.field(r.get(0), "reason"), r.get(0));
                for (String rec : r.subList(1, 4)) {
                    assertEquals("destination_forbidden", Box.field(rec, "reason"), rec);
                    assertEquals("-1", String.valueOf(connectMs(rec)), "no connect may be tried: " + rec);
                }
            } finally {
                up.close();
            }
        }
        assertEquals(1, served.get());
    }

    @Test
    void theOldKeyStillOptsIn() throws Exception {
        // direct.allowPrivate = true is read as direct.allowSpecialAddresses = any (with a
        // warning, see WarningsTest): a loopback answer is connected to.
        byte[] hello = Hellos.clientHello("old.ssrf.example");
        AtomicInteger served = new AtomicInteger();
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ndirect.allowPrivate = true\n",
                "old.ssrf.example = direct\n", host -> new InetAddress[] {ip("127.0.0.2")})) {
            Upstream up = new Upstream(ip("127.0.0.2"), box.port("https"), hello.length, served);
            try (Client c = Client.connect(box.address("https")).send(hello)) {
                assertEquals('Y', c.read(1, Duration.ofSeconds(5))[0]);
            } finally {
                up.close();
            }
            assertEquals("any", box.app.config().directAllowSpecial().toString());
        }
        assertEquals(1, served.get());
    }

    private static long connectMs(String record) {
        String v = Box.field(record, "connectMs");
        return v == null ? -1 : Long.parseLong(v);
    }

    @Test
    void theConnectionGoesToTheAddressThatWasCheckedWithOneLookup() throws Exception {
        // direct.allowSpecialAddresses lets a loopback answer through, which is what makes this testable
        // on loopback: each lookup of the name answers differently (a rebinding DNS), so a
        // second lookup between check and connect would show up as a hello at the wrong
        // address or a lookup count above one per connection.
        AtomicInteger lookups = new AtomicInteger();
        InetAddress first = ip("127.0.0.2");
        InetAddress second = ip("127.0.0.3");
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ndns.cacheSeconds = 0\ndirect.allowSpecialAddresses = 127.0.0.0/8\n",
                "rebind.ssrf.example = direct\n", host -> new InetAddress[] {lookups.incrementAndGet() % 2 == 1 ? first : second})) {
            int port = box.port("https");
            AtomicInteger atFirst = new AtomicInteger();
            AtomicInteger atSecond = new AtomicInteger();
            byte[] hello = Hellos.clientHello("rebind.ssrf.example");
            Upstream a = new Upstream(first, port, hello.length, atFirst);
            Upstream b = new Upstream(second, port, hello.length, atSecond);
            try {
                int n = 6;
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    try (Client c = Client.connect(box.address("https")).send(hello)) {
                        assertEquals('Y', c.read(1, Duration.ofSeconds(5))[0]);
                    }
                    expected.add((i % 2 == 0 ? first : second).getHostAddress() + ":" + port);
                    Box.sleep(50);
                }
                assertEquals(n, lookups.get(), "one lookup per connection");
                assertEquals(n / 2, atFirst.get());
                assertEquals(n / 2, atSecond.get());
                List<String> records = box.assertAuditComplete(n, Duration.ofSeconds(10));
                List<String> upstreams = records.stream().map(r -> Box.field(r, "upstream")).toList();
                assertEquals(expected, upstreams, "each connection went to the address its own lookup returned");
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void fixedTargetOnLoopbackIsAnExplicitExceptionAndDirectLoopbackIsNot() throws Exception {
        byte[] hello = Hellos.clientHello("fixed.ssrf.example");
        try (TcpServer up = new TcpServer(s -> {
            s.getInputStream().readNBytes(hello.length);
            s.getOutputStream().write('Y');
        });
             Box box = Box.start(dir, "listen.https = 127.0.0.1:0\n",
                     "fixed.ssrf.example = 127.0.0.1:" + up.port() + "\nlocalhost = direct\n")) {
            try (Client c = Client.connect(box.address("https")).send(hello)) {
                assertEquals('Y', c.read(1, Duration.ofSeconds(5))[0]);
            }
            try (Client c = Client.connect(box.address("https")).send(Hellos.clientHello("localhost"))) {
                assertArrayEquals(Client.alert(80), c.drain(Duration.ofSeconds(5)).bytes());
            }
            List<String> r = box.assertAuditComplete(2, Duration.ofSeconds(10));
            assertEquals("allowlist:fixed.ssrf.example", Box.field(r.get(0), "reason"), r.get(0));
            assertEquals("destination_forbidden", Box.field(r.get(1), "reason"), r.get(1));
        }
    }

    /** Accepts on one loopback address and port, counts hellos, answers 'Y'. */
    static final class Upstream {
        final ServerSocket ss;
        final Thread t;

        Upstream(InetAddress bind, int port, int helloLength, AtomicInteger count) throws Exception {
            ss = new ServerSocket();
            ss.bind(new InetSocketAddress(bind, port), 50);
            t = new Thread(() -> {
                while (!ss.isClosed()) {
                    try (Socket s = ss.accept()) {
                        s.setSoTimeout(5_000);
                        InputStream in = s.getInputStream();
                        if (in.readNBytes(helloLength).length == helloLength) {
                            count.incrementAndGet();
                            s.getOutputStream().write('Y');
                        }
                        in.readAllBytes();
                    } catch (Exception e) {
                        // closed
                    }
                }
            }, "upstream-" + bind.getHostAddress());
            t.setDaemon(true);
            t.start();
        }

        void close() throws IOException {
            ss.close();
        }
    }
}
