package lnm.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command (stdout and stderr merged) and returns its exit code and output. */
record Sh(int exit, String out) {

    static Sh run(List<String> command) {
        return run(command, Map.of(), null);
    }

    static Sh run(List<String> command, Map<String, String> env, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Sh(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** True when {@code name} is an executable on the PATH (or an absolute path to one). */
    static boolean has(String name) {
        return run(List.of("sh", "-c", "command -v \"$0\" >/dev/null", name)).exit == 0;
    }

    static boolean isRoot() {
        return run(List.of("id", "-u")).out.trim().equals("0");
    }

    /** Fails with the command's output unless it exited 0. */
    Sh ok() {
        if (exit != 0) {
            throw new AssertionError("exit " + exit + ":\n" + out);
        }
        return this;
    }
}
