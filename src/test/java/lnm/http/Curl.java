package lnm.http;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code curl} binary; tests that need it are skipped, with the reason, when it is missing. */
public final class Curl {
    /** What curl printed and how it ended. */
    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Curl() {}

    public static Path find() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, "curl");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Skips the calling test when curl is not on PATH. */
    public static void assumeAvailable() {
        Path p = find();
        if (p == null) {
            System.out.println("skipping: curl not found on PATH");
        }
        assumeTrue(p != null, "curl not found on PATH");
    }

    public static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(find().toString());
        cmd.add("--max-time");
        cmd.add("20");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.toLowerCase().endsWith("_proxy")); // only -x decides
        env.remove("CURL_HOME");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path err = Files.createTempFile("curl", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("curl did not finish: " + cmd);
        }
        String e = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(err);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), e);
    }
}
