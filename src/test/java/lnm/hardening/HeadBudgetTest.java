package lnm.hardening;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget for bytes held before a decision ({@code limits.headBytes}), small enough here to
 * count: unfinished heads fill it, the next one is refused as {@code head_budget} (audited, the
 * rest unharmed), an ordinary small hello still passes on the quarter kept for small heads, and
 * once an unfinished head goes away its bytes serve the next one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeadBudgetTest {
    static final int INTERNAL_ERROR = 80;
    /** Big heads may use three quarters of 64 KiB: three buffers of 16 KiB (9,000 bytes held each). */
    static final int BUDGET = 64 * 1024;
    static final int PART = 9_000;

    @TempDir
    Path dir;

    static byte[] hello(String sni, int padding) {
        return new HelloBuilder().ext(HelloBuilder.sni(sni)).ext(21, new byte[padding]).build();
    }

    @Test
    void aFullBudgetRefusesTheNextUnfinishedHeadAndFreedBytesServeALaterOne() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Box box = Box.start(dir, "listen.https = 127.0.0.1:0\nlimits.headBytes = 64KiB\ntimeouts.helloSeconds = 90\n"
                        + "direct.allowSpecialAddresses = any\n", "a.example = 127.0.0.1:" + upstream.getLocalPort() + "\n")) {
            upstream.setSoTimeout(30_000);
            byte[] big = hello("a.example", 12_000);
            List<Client> holding = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                holding.add(Client.connect(box.address("https")).send(Arrays.copyOf(big, PART)));
                int n = i;
                await().atMost(Duration.ofSeconds(30)).until(() -> headBytes(box) == n * 16_384L);
            }
            assertEquals(BUDGET, box.app.server().headBytes().limit());

            Client.End refused;
            try (Client c = Client.connect(box.address("https")).send(Arrays.copyOf(big, PART))) {
                refused = c.drain(Duration.ofSeconds(30));
            }
            assertTrue(refused.eof() || refused.reset(), "the fourth unfinished head is closed: " + refused);
            if (refused.eof()) {
                assertArrayEquals(Client.alert(INTERNAL_ERROR), refused.bytes());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> box.count("head_budget") == 1);
            assertEquals(3 * 16_384L, headBytes(box), "the refused head gave its bytes back");

            // An ordinary hello while the big heads hold all they may: it passes.
            relayed(box, upstream, hello("a.example", 0));

            holding.remove(0).close(); // hello_incomplete: its 16 KiB go back
            await().atMost(Duration.ofSeconds(30)).until(() -> headBytes(box) == 2 * 16_384L);
            relayed(box, upstream, big); // a big head fits again

            for (Client c : holding) {
                c.close();
            }
            List<String> audit = box.assertAuditComplete(6, Duration.ofSeconds(30));
            assertEquals(1, audit.stream().filter(l -> "head_budget".equals(Box.field(l, "reason"))).count(), String.join("\n", audit));
            assertEquals(2, box.count("allowlist:a.example"), box.reasons().toString());
            assertEquals(3, box.count("hello_incomplete"), box.reasons().toString());
            assertEquals(0, headBytes(box), "nothing held once every head is gone");
        }
    }

    private static long headBytes(Box box) {
        return box.app.server().headBytes().held();
    }

    /** Sends {@code hello} and waits until the upstream has it whole, then closes both ends. */
    private static void relayed(Box box, ServerSocket upstream, byte[] hello) throws IOException {
        try (Client c = Client.connect(box.address("https")).send(hello); Socket up = upstream.accept()) {
            up.setSoTimeout(30_000);
            byte[] got = up.getInputStream().readNBytes(hello.length);
            assertArrayEquals(hello, got, "relayed unchanged");
        }
    }

}
