package lnm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import lnm.config.HostPort;
import lnm.testing.RawHttp;

/** A pull goes to the first source that answers: a box keeps its fleet path while any parent is up. */
class FleetSourceTest {

    @Test
    void aPullPassesOverASourceThatDoesNotAnswer() throws Exception {
        HttpServer live = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        live.createContext(FleetHttp.PATH, x -> {
            byte[] b = "bundle".getBytes(StandardCharsets.UTF_8);
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        live.start();
        try {
            HostPort dead = new HostPort("127.0.0.1", RawHttp.closedPort());
            HostPort up = new HostPort("127.0.0.1", live.getAddress().getPort());
            FleetHttp.Response r = FleetSource.post(List.of(dead, up), List.of(), "report".getBytes(StandardCharsets.UTF_8), 5_000);
            assertEquals(200, r.status());
            assertEquals("bundle", r.text());
        } finally {
            live.stop(0);
        }
    }

    @Test
    void noSourceAnsweringNamesEveryOneTried() throws Exception {
        HostPort a = new HostPort("127.0.0.1", RawHttp.closedPort());
        HostPort b = new HostPort("127.0.0.1", RawHttp.closedPort());
        IOException e = assertThrows(IOException.class,
                () -> FleetSource.post(List.of(a, b), List.of(), new byte[0], 5_000));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()), e.getMessage());
    }
}
