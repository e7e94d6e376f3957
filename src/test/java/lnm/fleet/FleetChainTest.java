package lnm.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.admin.AdminHttp;
import lnm.admin.PromParser;
import lnm.cli.Main;
import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TcpServer;

/**
 * Three boxes chained on loopback, configured only through the fleet keys: L4 (top, signs from
 * its fleet folder) ← L3 (relays) ← L2. Names change at L4 only; traffic goes L2 → L3 → L4 → an
 * echo upstream. Short intervals; every step waits for its event.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FleetChainTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    TcpServer echo;
    Lnm l4;
    Lnm l3;
    Lnm l2;

    @AfterEach
    void tearDown() throws IOException {
        for (Lnm l : new Lnm[] {l2, l3, l4}) {
            if (l != null) {
                l.close();
            }
        }
        if (echo != null) {
            echo.close();
        }
    }

    static String keygen(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new String[] {"fleet", "keygen", file.toString()}));
        String line = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(line.startsWith("ed25519:"), line);
        return line;
    }

    private static Path box(Path dir, String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    private String l4Config(String key) {
        return """
                level = 4
                name = l4
                listen.https = 127.0.0.1:0
                admin.listen = 127.0.0.1:0
                fleet.listen = 127.0.0.1:0
                fleet.dir = fleet
                fleet.key = %s
                fleet.state = state
                """.formatted(key);
    }

    private static String below(String name, int level, Lnm parent, int fleetPort, String trust) {
        return """
                level = %d
                name = %s
                listen.https = 127.0.0.1:0
                parent = 127.0.0.1:%d
                fleet.source = 127.0.0.1:%d
                fleet.trust = %s
                fleet.boxKey = box.key
                fleet.interval = 0.3
                fleet.state = state
                """.formatted(level, name, parent.port("https"), fleetPort, trust);
    }

    private static int fleetPort(Lnm l) {
        return l.app.fleet().address().orElseThrow().getPort();
    }

    /** Whether a hello for {@code sni} sent to L2 comes back from the echo upstream (else lnm refused it). */
    static boolean allowed(Lnm l, String sni) throws IOException {
        byte[] hello = Hellos.clientHello(sni);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), l.port("https"))) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(hello);
            byte[] back = c.getInputStream().readNBytes(hello.length);
            if (Arrays.equals(hello, back)) {
                return true;
            }
            if (back.length > 0 && back[0] == 0x15) {
                return false;
            }
            throw new AssertionError("neither an echo nor an alert: " + back.length + " bytes");
        }
    }

    @Test
    void bundlesFromTheTopReachL2ThroughL3AndTheTopSeesThePlant() throws Exception {
        echo = new TcpServer(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            in.transferTo(out);
        });
        Path d4 = Files.createDirectories(tmp.resolve("l4"));
        String trust = keygen(d4.resolve("top.key"));
        Path fleet = d4.resolve("fleet");
        Files.writeString(box(fleet, "l3").resolve("allowlist.properties"), "*.example = parent\n");
        Path l2List = box(fleet, "l2").resolve("allowlist.properties");
        // Enrolment: each box below makes its own key; its public line goes into its folder at the top.
        Path d3 = Files.createDirectories(tmp.resolve("l3"));
        Path d2 = Files.createDirectories(tmp.resolve("l2"));
        Files.writeString(fleet.resolve("l3/box.pub"), "# l3, enrolled by the test\n" + keygen(d3.resolve("box.key")) + "\n");
        Files.writeString(fleet.resolve("l2/box.pub"), keygen(d2.resolve("box.key")) + " l2\n");
        Files.writeString(l2List, "kept.example = parent\n");
        Files.writeString(fleet.resolve("l2").resolve("lnm.properties"), "timeouts.idleSeconds = 120\n");

        l4 = Lnm.start(d4, l4Config("top.key"), "*.example = 127.0.0.1:" + echo.port() + "\n");
        l3 = Lnm.start(d3, below("l3", 3, l4, fleetPort(l4), trust)
                + "fleet.listen = 127.0.0.1:0\n", "");
        String l2Config = below("l2", 2, l3, fleetPort(l3), trust);
        l2 = Lnm.start(d2, l2Config, "");

        // The first bundles arrive: L2 allows what its folder at L4 lists, through L3 (whose folder lists *.example).
        await().atMost(WAIT).until(() -> allowed(l2, "kept.example"));
        assertEquals(120_000, l2.app.config().idleTimeoutMillis(), "the override came with the bundle");
        assertFalse(allowed(l2, "new.example"));

        // A name added at the top is allowed at L2; a name removed is denied.
        Files.writeString(l2List, "kept.example = parent\nnew.example = parent\n");
        await().atMost(WAIT).until(() -> allowed(l2, "new.example"));
        Files.writeString(l2List, "new.example = parent\n");
        await().atMost(WAIT).until(() -> !allowed(l2, "kept.example"));
        assertTrue(allowed(l2, "new.example"));

        // /fleet at the top lists L3 and L2 with levels, the path and the generation each runs.
        await().atMost(WAIT).until(() -> {
            String j = AdminHttp.get(l4, "/fleet").body();
            return box(j, "l3").contains("\"level\":3,\"parent\":\"l4\"") && box(j, "l2").contains("\"level\":2,\"parent\":\"l3\"")
                    && box(j, "l2").contains("\"lag\":0") && generation(box(j, "l2")) >= 3;
        });
        var m = AdminHttp.metrics(l4);
        assertEquals(1.0, PromParser.value(m, "lnm_fleet_box_up", "box", "l2", "level", "2"));
        assertEquals(1.0, PromParser.value(m, "lnm_fleet_box_up", "box", "l3", "level", "3"));
        assertEquals(0.0, PromParser.value(m, "lnm_fleet_generation_lag", "box", "l2"));
        String page = AdminHttp.get(l4, "/").body();
        assertTrue(page.contains("data-box=\"l2\"") && page.contains("data-box=\"l3\""), "the status page draws the plant");
        long good = generation(box(AdminHttp.get(l4, "/fleet").body(), "l2"));

        // A bundle signed by another key is refused by L2: its config stays, and the top sees why.
        keygen(d4.resolve("other.key"));
        Files.writeString(d4.resolve("lnm.properties"), Files.readString(d4.resolve("lnm.properties")).replace("top.key", "other.key"));
        assertEquals(java.util.List.of(), l4.app.reload());
        Files.writeString(l2List, "new.example = parent\nbad.example = parent\n");
        await().atMost(WAIT).until(() -> box(AdminHttp.get(l4, "/fleet").body(), "l2").contains("signature does not verify"));
        assertFalse(allowed(l2, "bad.example"));
        assertTrue(allowed(l2, "new.example"));
        assertEquals(good, generation(box(AdminHttp.get(l4, "/fleet").body(), "l2")), "L2 still runs the last good generation");

        // L2 restarted while L3 is down boots with its last good bundle.
        l2.close();
        l2 = null;
        l3.close();
        l3 = null;
        l2 = Lnm.start(d2, l2Config, "");
        assertTrue(l2.app.config().allowlist().rules().stream().anyMatch(r -> r.pattern().equals("new.example")));
        assertFalse(l2.app.config().allowlist().rules().stream().anyMatch(r -> r.pattern().equals("kept.example")));
        assertEquals(120_000, l2.app.config().idleTimeoutMillis());
        await().atMost(WAIT).until(() -> l2.app.fleet().pullState().orElseThrow().pullError().contains("unreachable"));
        assertEquals(good, l2.app.fleet().pullState().orElseThrow().generation());
    }

    /** The JSON object of one box in {@code /fleet} (braces counted outside strings). */
    static String box(String json, String name) {
        int start = json.indexOf("{\"name\":\"" + name + "\"");
        if (start < 0) {
            return "";
        }
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return json.substring(start, i + 1);
            }
        }
        return "";
    }

    static long generation(String boxJson) {
        Matcher m = Pattern.compile("\"generation\":(\\d+)").matcher(boxJson);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
