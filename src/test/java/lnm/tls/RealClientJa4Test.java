package lnm.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import lnm.wire.ParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ClientHellos captured from real clients on this machine (curl, OpenSSL, the JDK's SSLSocket and
 * HttpClient, Python's ssl, mosquitto_pub, Chromium) by a loopback listener that reads the hello and hangs
 * up: lnm's JA4 of each must equal the one an independent script (src/test/resources/lnm/tls/ja4.py,
 * written from the specification apart from the Java) computes from the same bytes. A client
 * that is not installed is skipped with a message.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RealClientJa4Test {
    static final String NAME = "ja4.example";
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final Pattern FORMAT = Pattern.compile("t(1[0-3])[di]\\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}");

    /** Starts a client against a loopback port; it is given the port and must send one hello. */
    interface Client {
        void connect(int port) throws Exception;
    }

    @Test
    void curl() throws Exception {
        needs("curl");
        check("curl", port -> run("curl", "-sk", "--max-time", "20", "--resolve", NAME + ":" + port + ":127.0.0.1",
                "https://" + NAME + ":" + port + "/"));
    }

    @Test
    void opensslSClient() throws Exception {
        needs("openssl");
        check("openssl", port -> run("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", NAME,
                "-alpn", "h2,http/1.1"));
    }

    @Test
    void javaSslSocket() throws Exception {
        check("java SSLSocket", RealClientJa4Test::javaSocket);
    }

    @Test
    void javaHttpClient() throws Exception {
        check("java HttpClient", port -> {
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
            try {
                c.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/")).timeout(Duration.ofSeconds(20))
                        .build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException expected) {
                // the listener hangs up after the hello
            }
        });
    }

    @Test
    void python() throws Exception {
        needs("python3");
        check("python ssl", port -> run("python3", "-c", String.join("\n",
                "import socket, ssl",
                "ctx = ssl.create_default_context()",
                "ctx.set_alpn_protocols(['h2', 'http/1.1'])",
                "s = socket.create_connection(('127.0.0.1', " + port + "), timeout=20)",
                "try:",
                "    ctx.wrap_socket(s, server_hostname='" + NAME + "')",
                "except (ssl.SSLError, OSError):",
                "    pass")));
    }

    @Test
    void mosquittoPub() throws Exception {
        needs("mosquitto_pub");
        Path ca = Path.of("/etc/ssl/certs/ca-certificates.crt");
        assumeTrue(Files.isReadable(ca), "no CA bundle at " + ca + " for mosquitto_pub --cafile: skipped");
        check("mosquitto_pub", port -> run("mosquitto_pub", "-h", "localhost", "-p", String.valueOf(port),
                "--cafile", ca.toString(), "-t", "t", "-m", "m"));
    }

    @Test
    void chromium() throws Exception {
        needs("chromium");
        Path profile = Files.createTempDirectory("ja4-chromium");
        try {
            // the flags this machine's Chromium needs headless as root, with no network but loopback
            check("chromium", port -> run("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--host-resolver-rules=MAP " + NAME + " 127.0.0.1", "--dump-dom",
                    "https://" + NAME + ":" + port + "/"));
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The JDK's SSLSocket as lnm's users would configure it: SNI and ALPN. */
    static void javaSocket(int port) throws IOException {
        try (SSLSocket s = (SSLSocket) SSLSocketFactory.getDefault().createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(NAME)));
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
        } catch (IOException expected) {
            // the listener hangs up after the hello
        }
    }

    /** Captures the client's hello, and compares lnm's JA4 of it with the script's. */
    private static void check(String what, Client client) throws Exception {
        needs("python3");
        byte[] hello = capture(client);
        String ours = ja4(hello);
        String theirs = python(hello);
        assertTrue(FORMAT.matcher(ours).matches(), what + ": " + ours);
        assertEquals(theirs, ours, what + " hello " + HexFormat.of().formatHex(hello));
        System.out.println(what + ": " + ours);
    }

    static String ja4(byte[] hello) {
        ParseResult<ClientHello> r = ClientHelloParser.parse(ByteBuffer.wrap(hello), ClientHelloParser.DEFAULT_MAX_HELLO);
        assertTrue(r instanceof ParseResult.Parsed, "lnm did not parse it: " + r);
        return ((ParseResult.Parsed<ClientHello>) r).value().ja4();
    }

    /**
     * Listens on loopback, runs the client on its own thread, and returns the bytes of the
     * first ClientHello it sends (all its handshake records), read until lnm's parser has it.
     */
    static byte[] capture(Client client) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(READ_TIMEOUT_MS);
            Thread t = new Thread(() -> {
                try {
                    client.connect(server.getLocalPort());
                } catch (Exception e) {
                    // the client's failure after the hangup is expected; a missing hello fails below
                }
            }, "ja4-client");
            t.setDaemon(true);
            t.start();
            try (Socket s = server.accept()) {
                s.setSoTimeout(READ_TIMEOUT_MS);
                return readHello(s.getInputStream());
            } finally {
                t.join(READ_TIMEOUT_MS);
            }
        }
    }

    private static byte[] readHello(InputStream in) throws IOException {
        byte[] buf = new byte[0];
        byte[] chunk = new byte[16384];
        for (int reads = 0; reads < 1000; reads++) {
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("client closed before its hello was complete (" + buf.length + " bytes)");
            }
            buf = Arrays.copyOf(buf, buf.length + n);
            System.arraycopy(chunk, 0, buf, buf.length - n, n);
            ParseResult<ClientHello> r = ClientHelloParser.parse(ByteBuffer.wrap(buf), ClientHelloParser.DEFAULT_MAX_HELLO);
            if (r instanceof ParseResult.Parsed<ClientHello> p) {
                return Arrays.copyOf(buf, p.consumed());
            }
            if (r instanceof ParseResult.Invalid<ClientHello> bad) {
                throw new IOException("not a ClientHello: " + bad.detail());
            }
        }
        throw new IOException("no complete hello after 1000 reads");
    }

    /** The independent script's JA4 of {@code hello}. */
    static String python(byte[] hello) throws Exception {
        Path script = Path.of(RealClientJa4Test.class.getResource("/lnm/tls/ja4.py").toURI());
        Process p = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(HexFormat.of().formatHex(hello).getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ja4.py did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Runs a client command with stdin closed; its exit status does not matter (lnm hangs up). */
    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    static void needs(String command) {
        boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
        assumeTrue(found, command + " is not installed: skipped (.ci/install-test-deps.sh installs it)");
    }
}
