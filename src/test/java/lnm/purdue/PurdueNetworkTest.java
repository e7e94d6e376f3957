package lnm.purdue;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The end-to-end "real Purdue network" test: runs {@code src/test/purdue/run.sh},
 * which builds cloud / level 4 / level 3 / level 2 network namespaces joined by veth pairs,
 * starts nginx, mosquitto and two lnm boxes in them, checks traffic and audit records from the
 * level-2 device, and removes it all again.
 *
 * <p>The script does the work and can run alone ({@code bash src/test/purdue/run.sh}); this
 * class only gives it a place in {@code mvn verify}. Inside Maven the jar is not built yet
 * (tests run before {@code package}), so lnm runs from {@code target/classes}, which the
 * {@code compile} phase has just written.
 *
 * <p>Not root, no {@code ip}, or a script exit of 77 (its "skipped, reason printed") make the
 * test skipped with that reason, never passed.
 */
class PurdueNetworkTest {
    private static final Path SCRIPT = Path.of("src/test/purdue/run.sh");
    private static final long TIMEOUT_SECONDS = 150;
    private static final int SCRIPT_SKIPPED = 77;

    @Test
    void deviceInLevel2ReachesTheCloudOnlyThroughLevel3AndLevel4() throws Exception {
        String uid = runQuietly("id", "-u");
        if (!"0".equals(uid)) {
            skip("not root (uid " + uid + "): the test creates network namespaces and veth pairs");
        }
        if (!onPath("ip")) {
            skip("'ip' (iproute2) not found on PATH, /sbin or /usr/sbin");
        }
        assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT.toAbsolutePath());

        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().put("LNM_CLASSES", Path.of("target/classes").toAbsolutePath().toString());
        pb.environment().remove("LNM_JAR");
        Process p = pb.start();
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = new Thread(() -> pump(p, tail), "purdue-output");
        pump.setDaemon(true);
        pump.start();

        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            // SIGTERM: the script's trap stops what it started and deletes the namespaces.
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            pump.join(2000);
            fail("purdue network test timed out after " + TIMEOUT_SECONDS + " s; output ends with:\n" + join(tail));
        }
        pump.join(5000);
        int rc = p.exitValue();
        if (rc == SCRIPT_SKIPPED) {
            skip(lastLineStartingWith(tail, "SKIP:"));
        }
        if (rc != 0) {
            fail("src/test/purdue/run.sh exited " + rc + "; output ends with:\n" + join(tail));
        }
    }

    private static void skip(String reason) {
        System.out.println("SKIPPED PurdueNetworkTest: " + reason);
        assumeTrue(false, reason);
    }

    /** Copies the script's output to stdout and keeps its last 200 lines for a failure message. */
    private static void pump(Process p, Deque<String> tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println(line);
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 200) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            System.out.println("(output of run.sh lost: " + e + ")");
        }
    }

    private static String join(Deque<String> tail) {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    private static String lastLineStartingWith(Deque<String> tail, String prefix) {
        synchronized (tail) {
            String found = "run.sh exited 77 (skipped)";
            for (String l : tail) {
                if (l.startsWith(prefix)) {
                    found = l;
                }
            }
            return found;
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/sbin:/usr/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String runQuietly(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown (" + out + ")";
        } catch (IOException e) {
            return "unknown (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }
}
