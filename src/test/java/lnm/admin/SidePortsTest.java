package lnm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Main;
import lnm.testing.Lnm;
import lnm.testing.RawHttp;

/**
 * The admin and fleet ports of a running appliance, as the config says: {@code admin.sources}
 * with loopback always admitted, {@code fleet.sources} (here {@code sources}, which loopback is
 * outside of), {@code admin.hosts} against DNS rebinding, and health checks answered while
 * connections are held open. Socket timeouts only guard against a hang.
 */
class SidePortsTest {
    @TempDir
    Path dir;

    private Lnm lnm;
    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : held) {
            s.close();
        }
        if (lnm != null) {
            lnm.close();
        }
    }

    private static String exchange(InetSocketAddress to, String request) throws IOException {
        return RawHttp.exchange(to, request);
    }

    private InetSocketAddress admin() {
        return new InetSocketAddress("127.0.0.1", lnm.app.admin().address().orElseThrow().getPort());
    }

    @Test
    void sourcesHostsAndHeldConnections() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("boxes"));
        assertEquals(0, Main.run(new java.io.PrintStream(new ByteArrayOutputStream()),
                new String[] {"fleet", "keygen", dir.resolve("top.key").toString()}));
        lnm = Lnm.start(dir, """
                level = 3
                listen.https = 127.0.0.1:0
                sources = 10.0.0.0/8
                admin.listen = 127.0.0.1:0
                admin.hosts = lnm.plant.local
                fleet.listen = 127.0.0.1:0
                fleet.dir = boxes
                fleet.key = top.key
                fleet.state = state
                """, "a.example = direct\n");
        InetSocketAddress fleet = new InetSocketAddress("127.0.0.1", lnm.app.fleet().address().orElseThrow().getPort());

        String refused = exchange(fleet, "POST /fleet/v1/pull HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        assertTrue(refused.isEmpty() || refused.startsWith("HTTP/1.1 403"), "loopback is outside fleet.sources: " + refused);

        String rebound = exchange(admin(), "GET /connections HTTP/1.1\r\nHost: rebound.attacker.example:9090\r\n\r\n");
        assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
        assertTrue(exchange(admin(), "GET /connections HTTP/1.1\r\nHost: lnm.plant.local:9090\r\n\r\n")
                .startsWith("HTTP/1.1 200"));
        assertTrue(exchange(admin(), "GET /connections HTTP/1.1\r\nHost: localhost\r\n\r\n").startsWith("HTTP/1.1 200"));

        for (int i = 0; i < 200; i++) { // one byte each, then nothing: each costs the port a socket, no thread
            Socket s = new Socket();
            s.connect(admin(), 10_000);
            s.getOutputStream().write('G');
            held.add(s);
        }
        String health = exchange(admin(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(health.startsWith("HTTP/1.1 200") && health.endsWith("ok\n"), health);
        String ready = exchange(admin(), "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(ready.contains("\npid " + ProcessHandle.current().pid() + "\n"), ready);

        Map<String, PromParser.Family> m = AdminHttp.metrics(lnm);
        assertEquals(1.0, PromParser.value(m, "lnm_side_refused_total", "port", "fleet", "reason", "source"));
        assertEquals(1.0, PromParser.value(m, "lnm_side_refused_total", "port", "admin", "reason", "bad_request"));
    }
}
