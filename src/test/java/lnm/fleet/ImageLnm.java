package lnm.fleet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lnm run} from the jlink image ({@code build/image/bin/lnm}, {@code make image}), by
 * its own launcher with the image's default flags, on a config in a folder; its output goes
 * to {@code lnm.log} there.
 */
final class ImageLnm implements AutoCloseable {
    static final Path LAUNCHER = Path.of("build/image/bin/lnm").toAbsolutePath();

    final Process process;
    final Path log;

    private ImageLnm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts lnm on {@code dir/lnm.properties} and waits (at most 30 s) until its log shows {@code ready}. */
    static ImageLnm start(Path dir, Pattern ready) throws IOException, InterruptedException {
        Path log = dir.resolve("lnm.log");
        Process p = new ProcessBuilder(LAUNCHER.toString(), "run", "--config", dir.resolve("lnm.properties").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ImageLnm l = new ImageLnm(p, log);
        for (int i = 0; i < 600; i++) {
            if (ready.matcher(l.output()).find()) {
                return l;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        l.close();
        throw new IOException("lnm did not start: " + l.output());
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM (a drain of {@code shutdown.drainSeconds}), then SIGKILL after 20 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A gauge or counter without labels from a Prometheus text, -1 if absent. */
    static long gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }
}
