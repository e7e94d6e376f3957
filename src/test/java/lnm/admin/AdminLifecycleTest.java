package lnm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Appliance;
import lnm.testing.Lnm;

/** The admin endpoint's own start, move and stop. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void aTakenAdminPortFailsTheStartWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Appliance.StartException e = assertThrows(Appliance.StartException.class, () -> Lnm.start(dir,
                    "listen.https = 127.0.0.1:0\nadmin.listen = 127.0.0.1:" + taken.getLocalPort() + "\n", ""));
            assertEquals(List.of("admin.listen 127.0.0.1:" + taken.getLocalPort() + ": cannot bind: Address already in use"),
                    e.problems());
        }
    }

    @Test
    void aReloadMovesOrClosesTheEndpoint() throws Exception {
        try (Lnm lnm = Lnm.start(dir, "listen.https = 127.0.0.1:0\nadmin.listen = 127.0.0.1:0\n", "")) {
            int first = lnm.app.admin().address().orElseThrow().getPort();
            assertEquals(200, AdminHttp.get(lnm, "/healthz").statusCode());
            Path cfg = dir.resolve("lnm.properties");
            String text = Files.readString(cfg);

            Files.writeString(cfg, text.replace("admin.listen = 127.0.0.1:0", "admin.listen = off"));
            assertEquals(List.of(), lnm.app.reload());
            assertTrue(lnm.app.admin().address().isEmpty());
            assertThrows(java.net.ConnectException.class, () -> AdminHttp.request("GET", "http://127.0.0.1:" + first + "/healthz"));

            Files.writeString(cfg, text);
            assertEquals(List.of(), lnm.app.reload());
            int second = lnm.app.admin().address().orElseThrow().getPort();
            assertNotEquals(0, second);
            assertEquals(200, AdminHttp.get(lnm, "/healthz").statusCode());
        }
    }

    @Test
    void shutdownClosesTheEndpoint() throws Exception {
        Lnm lnm = Lnm.start(dir, "listen.https = 127.0.0.1:0\nadmin.listen = 127.0.0.1:0\n", "");
        String url = AdminHttp.base(lnm) + "/healthz";
        assertEquals(200, AdminHttp.request("GET", url).statusCode());
        lnm.close();
        assertThrows(java.net.ConnectException.class, () -> AdminHttp.request("GET", url));
        assertEquals(List.of("shutting down: reload ignored"), lnm.app.reload());
    }
}
