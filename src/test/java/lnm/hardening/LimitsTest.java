package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cap on hello size and the hello timeout, against clients that push them: a hello that
 * declares itself too large, one that never completes while growing (one-byte records: cut
 * off at 256 records), one that dribbles; with a decimal timeout (0.5 s) as operators may
 * write it. Each refusal is told apart from a timeout by its reason, not by the clock; how soon
 * a timeout fires is judged only by the test tagged {@code load} ({@code make load-test}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LimitsTest {
    static final int DECODE_ERROR = 50;

    @TempDir
    Path dir;

    @Test
    void helloLargerThanTheCapIsRefusedAsSoonAsItSaysSo() throws Exception {
        // A hello timeout far beyond the waits below: whatever closes these connections is the
        // parser's refusal, and the audit reason says which one.
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\nlimits.helloMaxBytes = 2048\ntimeouts.helloSeconds = 90\n",
                "a.example = 127.0.0.1:9\n")) {
            // Record header and handshake header only: a ClientHello of 4096 bytes is announced.
            byte[] header = {22, 3, 1, 0x10, 0x04, 1, 0, 0x10, 0x00};
            Client.End end;
            try (Client c = Client.connect(box.address("https")).send(header)) {
                end = c.drain(Duration.ofSeconds(30));
            }
            assertTrue(end.eof(), "closed on the header alone, without more bytes: " + end);
            assertArrayEquals(Client.alert(DECODE_ERROR), end.bytes());

            // A hello that fits the cap by its own header but comes in 1-byte records: what is
            // buffered grows six times faster than the hello, and each record costs a parse.
            // Cut off after 256 records, long before the buffer cap (2 x helloMaxBytes + 1 KiB).
            long sent = 0;
            boolean cut = false;
            try (Client c = Client.connect(box.address("https"))) {
                OutputStream out = c.socket.getOutputStream();
                byte[] first = {22, 3, 1, 0, 1, 1};
                byte[] lengthBytes = {0, 7, (byte) 0xd0}; // 2000 bytes of body
                out.write(first);
                for (byte b : lengthBytes) {
                    out.write(new byte[] {22, 3, 1, 0, 1, b});
                }
                try {
                    for (int i = 0; i < 20_000; i++) {
                        out.write(new byte[] {22, 3, 1, 0, 1, 0x55});
                        sent += 6;
                    }
                } catch (IOException e) {
                    cut = true; // lnm closed while we were still sending: fine
                }
                end = c.drain(Duration.ofSeconds(30));
            }
            assertTrue(cut || end.closed(), "still open after " + sent + " bytes: " + end);
            List<String> r = box.assertAuditComplete(2, Duration.ofSeconds(10));
            assertEquals("hello_too_large", Box.field(r.get(0), "reason"), r.get(0));
            assertEquals("malformed_hello", Box.field(r.get(1), "reason"), r.get(1));
            assertEquals("ClientHello still incomplete after 256 records", Box.field(r.get(1), "error"), r.get(1));
        }
    }

    /** What the hello timeout did to a silent client and to one that dribbles its hello. */
    private record Cuts(Client.End silent, long dribblerCutAfterMillis, List<String> audit) {}

    /**
     * A silent client, then one that sends its hello a byte every 100 ms: it would need seconds
     * to finish, so it is cut only if the timeout counts from accept (each byte resetting it,
     * the hello would complete and be allowed).
     */
    private Cuts helloTimeoutAgainstSilentAndDribblingClients() throws Exception {
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ntimeouts.helloSeconds = 0.5\n", "a.example = 127.0.0.1:9\n")) {
            Client.End silent;
            try (Client c = Client.connect(box.address("https"))) {
                silent = c.drain(Duration.ofSeconds(30));
            }
            long t0 = System.nanoTime();
            long closedAfter = -1;
            try (Client c = Client.connect(box.address("https"))) {
                byte[] hello = HelloBuilder.records(new HelloBuilder().ext(HelloBuilder.sni("a.example")).message());
                for (int i = 0; i < hello.length - 1; i++) {
                    try {
                        c.send(new byte[] {hello[i]});
                    } catch (IOException e) {
                        closedAfter = (System.nanoTime() - t0) / 1_000_000;
                        break;
                    }
                    Client.End e = c.drain(Duration.ofMillis(100));
                    if (e.closed()) {
                        closedAfter = (System.nanoTime() - t0) / 1_000_000;
                        break;
                    }
                }
            }
            return new Cuts(silent, closedAfter, box.assertAuditComplete(2, Duration.ofSeconds(30)));
        }
    }

    @Test
    void decimalHelloTimeoutCutsSilentAndDribblingClientsAlike() throws Exception {
        Cuts cuts = helloTimeoutAgainstSilentAndDribblingClients();
        assertTrue(cuts.silent().eof(), "silent: " + cuts.silent());
        assertTrue(cuts.dribblerCutAfterMillis() >= 0, "the dribbling client finished its hello: the timeout did not count from accept");
        for (String x : cuts.audit()) {
            assertEquals("hello_timeout", Box.field(x, "reason"), x);
            assertEquals("deny", Box.field(x, "decision"), x);
        }
    }

    /** The same, judging when the 0.5 s timeout fires: a wall-clock window, so {@code make load-test}. */
    @Test
    @Tag("load")
    void decimalHelloTimeoutFiresAtHalfASecond() throws Exception {
        Cuts cuts = helloTimeoutAgainstSilentAndDribblingClients();
        Client.End silent = cuts.silent();
        assertTrue(silent.eof() && silent.millis() >= 450 && silent.millis() < 1500, "silent: " + silent);
        long closedAfter = cuts.dribblerCutAfterMillis();
        assertTrue(closedAfter >= 450 && closedAfter < 1500, "a dribbling client was cut after " + closedAfter + " ms");
        for (String x : cuts.audit()) {
            assertEquals("hello_timeout", Box.field(x, "reason"), x);
        }
    }
}
