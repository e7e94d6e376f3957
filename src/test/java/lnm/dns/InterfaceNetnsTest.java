package lnm.dns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener, {@code dns.listen} and {@code dns.answer} named by interface follow that
 * interface's addresses as {@code ip addr add/del} changes them, without a restart. lnm runs in a
 * child JVM inside a network namespace of its own ({@code nic-<pid>}) whose veth end is called
 * {@code eth1}; the test talks to it from the other end, in this namespace. Root only (it
 * creates the namespace and the veth pair); skipped otherwise.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InterfaceNetnsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String NS = "nic-" + ProcessHandle.current().pid() % 1_000_000;
    private static final String HOST_END = "nich" + ProcessHandle.current().pid() % 1_000_000;
    private static final String NET = "10.253.77.";
    private static final String NET6 = "fd77:253::";
    private static final int PORT = 4000;
    private static final int DNS_PORT = 5353;

    @TempDir
    Path dir;
    private Process lnm;
    private ServerSocket echo;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "netns-echo");
        t.setDaemon(true);
        return t;
    });

    @BeforeEach
    void namespace() throws Exception {
        Assumptions.assumeTrue(isRoot(), "needs root for ip netns");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")), "needs ip(8)");
        run("ip", "netns", "del", NS); // a leftover of an aborted run
        ok("ip", "netns", "add", NS);
        ok("ip", "link", "add", HOST_END, "type", "veth", "peer", "name", "eth1", "netns", NS);
        ok("ip", "addr", "add", NET + "1/24", "dev", HOST_END);
        ok("ip", "addr", "add", NET6 + "1/64", "dev", HOST_END, "nodad");
        ok("ip", "link", "set", HOST_END, "up");
        ok("ip", "-n", NS, "link", "set", "lo", "up");
        ok("ip", "-n", NS, "link", "set", "eth1", "up");
        ok("ip", "-n", NS, "addr", "add", NET + "2/24", "dev", "eth1");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (lnm != null) {
            lnm.destroy();
            if (!lnm.waitFor(20, TimeUnit.SECONDS)) {
                lnm.destroyForcibly();
            }
        }
        if (echo != null) {
            echo.close();
        }
        pool.shutdownNow();
        if (isRoot()) {
            run("ip", "netns", "del", NS); // takes the veth pair with it
            run("ip", "link", "del", HOST_END);
        }
    }

    @Test
    void listenerAndDnsFollowIpAddrAddAndDel() throws Exception {
        echo = new ServerSocket(0, 50, InetAddress.getByName(NET + "1"));
        pool.execute(this::serveEcho);
        startLnm();
        InetAddress two = InetAddress.getByName(NET + "2");
        InetAddress three = InetAddress.getByName(NET + "3");
        InetAddress six = InetAddress.getByName(NET6 + "3");

        await().atMost(PATIENCE).until(() -> bound("-ltn", NET + "2", PORT));
        try (Socket held = new Socket()) {
            held.connect(new InetSocketAddress(two, PORT), 10_000);
            assertEquals("one", roundTrip(held, "one"));
            assertEquals(List.of(two), answers(two));

            // a second address, IPv4 and IPv6: lnm binds both, without a restart
            ok("ip", "-n", NS, "addr", "add", NET + "3/24", "dev", "eth1");
            ok("ip", "-n", NS, "addr", "add", NET6 + "3/64", "dev", "eth1", "nodad");
            await().atMost(PATIENCE).until(() -> bound("-ltn", NET + "3", PORT)
                    && bound("-ltn", NET6 + "3", PORT));
            for (InetAddress a : List.of(three, six)) {
                try (Socket fresh = new Socket()) {
                    fresh.connect(new InetSocketAddress(a, PORT), 10_000);
                    assertEquals("via " + a, roundTrip(fresh, "via " + a));
                }
            }
            await().atMost(PATIENCE).until(() -> bound("-lun", NET + "3", DNS_PORT));
            assertEquals(Set.of(two, three), Set.copyOf(answers(three)), "dns.answer = eth1: every IPv4 address of eth1");
            assertEquals(List.of(six), aaaa(three));

            // the address goes away: its sockets close, the other address and its connection stay
            ok("ip", "-n", NS, "addr", "del", NET + "3/24", "dev", "eth1");
            await().atMost(PATIENCE).until(() -> !bound("-ltn", NET + "3", PORT)
                    && !bound("-lun", NET + "3", DNS_PORT) && !bound("-ltn", NET + "3", DNS_PORT));
            assertTrue(bound("-ltn", NET + "2", PORT));
            assertEquals("two", roundTrip(held, "two"), "the connection on the address that stayed keeps relaying");
            assertEquals(List.of(two), answers(two));
        }
        String log = Files.readString(dir.resolve("lnm.log"));
        assertTrue(log.lines().anyMatch(l -> l.contains("interface eth1: added ") && l.contains(NET + "3")
                && l.contains(NET6 + "3")), log);
        assertTrue(log.contains("interface eth1: removed " + NET + "3"), log);
        assertTrue(lnm.isAlive(), log);
    }

    @Test
    void aMissingInterfaceIsWaitedFor() throws Exception {
        Files.writeString(dir.resolve("allowlist.properties"), "app.example.com = direct\n");
        Files.writeString(dir.resolve("lnm.properties"), "level = 3\nlisten.t = eth7:" + PORT + "\nlisten.t.mode = tcp\n"
                + "listen.t.target = " + NET + "1:9\nallowlist = allowlist.properties\nadmin.listen = off\n"
                + "audit.file = audit.jsonl\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process check = new ProcessBuilder("ip", "netns", "exec", NS, java.toString(), "-cp", classes(), "lnm.cli.Main", "check",
                "--config", dir.resolve("lnm.properties").toString()).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), out);
        assertTrue(out.contains("lnm.properties:2: warning: interface 'eth7' (listener 't') does not exist on this box"), out);

        lnm = new ProcessBuilder("ip", "netns", "exec", NS, java.toString(), "-cp", classes(), "lnm.cli.Main", "run",
                "--config", dir.resolve("lnm.properties").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("lnm.log").toFile()).start();
        await().atMost(PATIENCE).until(() -> Files.readString(dir.resolve("lnm.log")).contains("waits for interface eth7"));
        ok("ip", "-n", NS, "link", "add", "eth7", "type", "veth", "peer", "name", "eth7p"); // late at boot, or renamed
        ok("ip", "-n", NS, "link", "set", "eth7p", "up");
        ok("ip", "-n", NS, "addr", "add", "10.253.78.1/24", "dev", "eth7");
        ok("ip", "-n", NS, "link", "set", "eth7", "up");
        await().atMost(PATIENCE).until(() -> bound("-ltn", "10.253.78.1", PORT));
        assertTrue(lnm.isAlive());
    }

    private void startLnm() throws Exception {
        Files.writeString(dir.resolve("allowlist.properties"), "app.example.com = direct\n");
        Files.writeString(dir.resolve("lnm.properties"), String.join("\n",
                "level = 3",
                "listen.t = eth1:" + PORT,
                "listen.t.mode = tcp",
                "listen.t.target = " + NET + "1:" + echo.getLocalPort(),
                "dns.listen = eth1:" + DNS_PORT,
                "dns.answer = eth1",
                "allowlist = allowlist.properties",
                "admin.listen = off",
                "audit.file = audit.jsonl",
                "limits.perSourceRate = off",
                ""));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        lnm = new ProcessBuilder("ip", "netns", "exec", NS, java.toString(), "-cp", classes(), "lnm.cli.Main", "run",
                "--config", dir.resolve("lnm.properties").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("lnm.log").toFile()).start();
        await().atMost(PATIENCE).until(() -> !lnm.isAlive() || Files.readString(dir.resolve("lnm.log")).contains("listener t (tcp) on"));
        assertTrue(lnm.isAlive(), Files.readString(dir.resolve("lnm.log")));
    }

    /** The A answer lnm gives for the allowlisted name, asked over UDP at {@code server}. */
    private static List<InetAddress> answers(InetAddress server) throws IOException {
        return DnsClient.addresses(udp(server, DnsClient.query(7, "app.example.com", DnsCodes.TYPE_A, 1232)));
    }

    private static List<InetAddress> aaaa(InetAddress server) throws IOException {
        return DnsClient.addresses(udp(server, DnsClient.query(8, "app.example.com", DnsCodes.TYPE_AAAA, 1232)));
    }

    /** One query from any local address (the veth end, not loopback) and its answer. */
    private static byte[] udp(InetAddress server, byte[] query) throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            s.setSoTimeout(10_000);
            s.send(new java.net.DatagramPacket(query, query.length, new InetSocketAddress(server, DNS_PORT)));
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[65535], 65535);
            s.receive(p);
            return java.util.Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    /**
     * Whether a socket in the namespace is bound to {@code address} and {@code port}: as
     * {@code ss} prints it, {@code a.b.c.d:port}, {@code [v6]:port}, or an IPv4 address on a
     * dual-stack socket as {@code [::ffff:a.b.c.d]:port}.
     */
    private static boolean bound(String flags, String address, int port) {
        String all = listening(flags);
        return address.contains(":") ? all.contains("[" + address + "]:" + port + " ")
                : all.contains(" " + address + ":" + port + " ") || all.contains("[::ffff:" + address + "]:" + port + " ");
    }

    /** {@code ss} in the namespace: the listening sockets. */
    private static String listening(String flags) {
        return run("ip", "netns", "exec", NS, "ss", "-H", "-n", flags);
    }

    private void serveEcho() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                pool.execute(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                        // the client side reports
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.setSoTimeout(20_000);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        byte[] got = new byte[b.length];
        new DataInputStream(s.getInputStream()).readFully(got);
        return new String(got, StandardCharsets.UTF_8);
    }

    private static String classes() throws URISyntaxException {
        return Path.of(lnm.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static boolean isRoot() {
        return run("id", "-u").trim().equals("0");
    }

    private static void ok(String... cmd) {
        List<String> c = List.of(cmd);
        String out = runChecked(c);
        if (out != null) {
            throw new AssertionError(String.join(" ", c) + " failed: " + out);
        }
    }

    /** Runs a command; its output. */
    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Null when the command exits 0, else its output. */
    private static String runChecked(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
