package lnm.net;

import static lnm.testing.Lnm.field;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.Lnm;

/**
 * Debian's squid as the corporate proxy, on loopback with a config of its own in a temp folder
 * (its own pid, logs and hosts file: it asks no DNS server and reaches nothing outside this
 * host). One squid, two ports: one open, one wanting Basic authentication (basic_ncsa_auth over
 * an htpasswd file made with {@code openssl passwd -apr1}); both refuse one name with a
 * {@code dstdomain} rule. The destination is a byte echo on 127.0.0.2 at the port of lnm's
 * listener (a {@code direct} destination goes to the port the client connected to), named in
 * squid's hosts file. Skipped when squid or openssl is missing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SquidEgressTest {
    private static final Path SQUID = Path.of("/usr/sbin/squid");
    private static final Path NCSA = Path.of("/usr/lib/squid/basic_ncsa_auth");
    private static final String ALLOWED = "allowed.example.test";
    private static final String REFUSED = "refused.example.test";
    private static final String PASSWORD = "s3cret pass";

    @TempDir
    static Path sq;
    static Process squid;
    static int openPort;
    static int authPort;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startSquid() throws Exception {
        assumeTrue(Files.isExecutable(SQUID) && Files.isExecutable(NCSA), "squid is not installed (apt-get install squid)");
        String hash = run("openssl", "passwd", "-apr1", PASSWORD);
        assumeTrue(hash != null && hash.startsWith("$apr1$"), "openssl passwd -apr1 is not available");
        // squid started as root runs as the 'proxy' user: it must read and write here
        Files.setPosixFilePermissions(sq, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(sq.resolve("htpasswd"), "lnm:" + hash.trim() + "\n");
        Files.writeString(sq.resolve("hosts"), "127.0.0.2 " + ALLOWED + "\n127.0.0.2 " + REFUSED + "\n");
        openPort = freePort();
        authPort = freePort();
        Files.writeString(sq.resolve("squid.conf"), """
                http_port 127.0.0.1:%d name=open
                http_port 127.0.0.1:%d name=auth
                pid_filename %s/squid.pid
                cache_log %s/cache.log
                access_log stdio:%s/access.log
                coredump_dir %s
                hosts_file %s/hosts
                dns_nameservers 127.0.0.1
                pinger_enable off
                cache deny all
                cache_mem 8 MB
                shutdown_lifetime 0 seconds
                auth_param basic program %s %s/htpasswd
                auth_param basic realm corp
                acl openport myportname open
                acl authport myportname auth
                acl refused dstdomain %s
                acl authed proxy_auth REQUIRED
                http_access deny refused
                http_access allow openport
                http_access allow authport authed
                http_access deny all
                """.formatted(openPort, authPort, sq, sq, sq, sq, sq, NCSA, sq, REFUSED));
        for (String f : List.of("htpasswd", "hosts", "squid.conf")) {
            Files.setPosixFilePermissions(sq.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
        }
        squid = new ProcessBuilder(SQUID.toString(), "-N", "-d", "1", "-f", sq.resolve("squid.conf").toString())
                .redirectErrorStream(true).redirectOutput(sq.resolve("squid.out").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!squid.isAlive()) {
                throw new IllegalStateException("squid exited: " + Files.readString(sq.resolve("squid.out")));
            }
            return accepts(openPort) && accepts(authPort);
        });
    }

    @AfterAll
    static void stopSquid() throws Exception {
        if (squid == null) {
            return;
        }
        List<ProcessHandle> helpers = squid.descendants().toList();
        squid.destroy();
        if (!squid.waitFor(20, TimeUnit.SECONDS)) {
            squid.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        helpers.forEach(ProcessHandle::destroy);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void anAllowedNameIsRelayedByteExactAndTheRefusedOneIsAuditedWithSquidsStatus() throws Exception {
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + openPort + "\n");
        echoOn127002(lnm.port("https"));
        relayed(lnm, 1);
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("127.0.0.1:" + openPort, field(r, "egress"), r);

        refused(lnm, REFUSED);
        String no = lnm.awaitAudit(2).get(1);
        assertEquals("proxy_refused", field(no, "reason"), no);
        assertEquals("HTTP/1.1 403 Forbidden", field(no, "error"), no);
    }

    @Test
    void basicCredentialsOpenTheTunnelAndWrongOnesAreProxyAuthRequired() throws Exception {
        Path good = credentials("good.cred", "lnm:" + PASSWORD);
        Path bad = credentials("bad.cred", "lnm:not the password");
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + authPort + "\negress.proxy.credentials = " + good + "\n");
        echoOn127002(lnm.port("https"));
        relayed(lnm, 1);
        assertEquals("allow", field(lnm.awaitAudit(1).get(0), "decision"));

        Lnm wrong = box("egress.proxy = 127.0.0.1:" + authPort + "\negress.proxy.credentials = " + bad + "\n");
        refused(wrong, ALLOWED);
        String r = wrong.awaitAudit(1).get(0);
        assertEquals("proxy_auth_required", field(r, "reason"), r);
        assertEquals("HTTP/1.1 407 Proxy Authentication Required", field(r, "error"), r);
        assertTrue(wrong.audit().stream().noneMatch(l -> l.contains("not the password")));
    }

    @Test
    void aSecondProxyTakesOverWhenTheFirstIsDown() throws Exception {
        int dead = freePort();
        Lnm lnm = box("egress.proxy = 127.0.0.1:" + dead + ", 127.0.0.1:" + openPort + "\n");
        echoOn127002(lnm.port("https"));
        relayed(lnm, 1);
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("127.0.0.1:" + openPort, field(r, "egress"), r);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A hello for {@link #ALLOWED} and 100 KB after it go through lnm and squid to the echo and back unchanged. */
    private static void relayed(Lnm lnm, int seed) throws Exception {
        byte[] hello = Hellos.clientHello(ALLOWED);
        byte[] payload = new byte[100_000];
        new Random(seed).nextBytes(payload);
        byte[] sent = new byte[hello.length + payload.length];
        System.arraycopy(hello, 0, sent, 0, hello.length);
        System.arraycopy(payload, 0, sent, hello.length, payload.length);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(60_000);
            // squid ends a tunnel when either side ends its stream: read all before closing
            Thread writer = new Thread(() -> {
                try {
                    c.getOutputStream().write(sent);
                } catch (IOException ignored) {
                    // the comparison below reports it
                }
            });
            writer.start();
            byte[] got = c.getInputStream().readNBytes(sent.length);
            writer.join();
            assertArrayEquals(sent, got);
        }
    }

    /** A hello for {@code name}; what came back (a TLS alert) before lnm closed. */
    private static byte[] refused(Lnm lnm, String name) throws Exception {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), lnm.port("https"))) {
            c.setSoTimeout(60_000);
            c.getOutputStream().write(Hellos.clientHello(name));
            byte[] back = c.getInputStream().readAllBytes();
            assertTrue(back.length > 0 && back[0] == 0x15, "a TLS alert");
            return back;
        }
    }

    private Lnm box(String egress) throws Exception {
        Path d = Files.createTempDirectory(dir, "box");
        Lnm l = Lnm.start(d, "level = 4\nlisten.https = 127.0.0.1:0\n" + egress,
                ALLOWED + " = direct\n" + REFUSED + " = direct\n", host -> {
                    throw new UnknownHostException("lnm resolves nothing here, squid does: " + host);
                });
        open.add(0, l);
        return l;
    }

    /** A credentials file only its owner may read, by its absolute path. */
    private Path credentials(String name, String line) throws IOException {
        Path f = dir.resolve(name).toAbsolutePath();
        Files.writeString(f, line + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** A byte echo on 127.0.0.2:{@code port}, where squid's hosts file sends both names. */
    private void echoOn127002(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port));
        open.add(s);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket c = s.accept();
                    Thread e = new Thread(() -> {
                        try (c) {
                            c.setSoTimeout(60_000);
                            InputStream in = c.getInputStream();
                            in.transferTo(c.getOutputStream());
                            c.shutdownOutput();
                        } catch (IOException ignored) {
                            // the client's comparison reports it
                        }
                    });
                    e.setDaemon(true);
                    e.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The command's standard output, or null when it cannot run. */
    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
