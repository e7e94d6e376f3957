package lnm.hardening;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import lnm.testing.TestConfig;

/**
 * {@code lnm run} in a child JVM, as it runs on a box, so that its own resources can be watched
 * (resident memory, file descriptors, CPU time from {@code /proc}) and limited (a lower
 * {@code ulimit -n} for that process alone). The classes are packed into a jar first: a
 * process out of file descriptors could not open a class file from a directory, while a jar
 * (or the jlink image of a real install) is opened once.
 *
 * <p>Plain JDK; no JUnit, so the soak run can use it too.
 */
final class ChildLnm implements AutoCloseable {
    private static final Pattern LISTENER = Pattern.compile("listener (\\S+) \\(\\w+\\) on ([0-9.]+):(\\d+)");

    final Path dir;
    final Process process;
    final long pid;
    final Path log;

    private ChildLnm(Path dir, Process process, Path log) {
        this.dir = dir;
        this.process = process;
        this.pid = process.pid();
        this.log = log;
    }

    /**
     * Writes the config and allowlist into {@code dir} and starts lnm on them.
     *
     * @param fdLimit {@code ulimit -n} for the child alone, or 0 to inherit ours
     */
    static ChildLnm start(Path dir, String config, String allowlist, int fdLimit, String... jvmArgs) throws IOException, InterruptedException {
        TestConfig.write(dir, config, allowlist, TestConfig.NO_RATE_LIMIT);
        Path jar = dir.resolve("lnm-under-test.jar");
        jarOfClasses(jar);
        List<String> cmd = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (fdLimit > 0) {
            cmd.addAll(List.of("bash", "-c", "ulimit -n " + fdLimit + " && exec \"$@\"", "lnm"));
        }
        cmd.add(java);
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", jar.toString(), "lnm.cli.Main", "run", "--config", dir.resolve("lnm.properties").toString()));
        Path log = dir.resolve("lnm.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ChildLnm c = new ChildLnm(dir, p, log);
        long until = System.nanoTime() + 30_000_000_000L;
        while (c.port("https") < 0) {
            if (!p.isAlive() || System.nanoTime() > until) {
                c.close();
                throw new IOException("lnm did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return c;
    }

    /** The port a listener got, from the log line that announces it; -1 before that. */
    int port(String listener) {
        Matcher m = LISTENER.matcher(log());
        while (m.find()) {
            if (m.group(1).equals(listener)) {
                return Integer.parseInt(m.group(3));
            }
        }
        return -1;
    }

    InetSocketAddress address(String listener) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port(listener));
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    List<String> audit() throws IOException {
        Path f = dir.resolve("audit.jsonl");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    /** Resident set size in KiB. */
    long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Open file descriptors. */
    int fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) s.count();
        }
    }

    /** CPU time used so far (user + system), in clock ticks (10 ms each on Linux). */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM (drain, flush the audit log, exit 0); waits for it. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                stop();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The compiled main classes (this test run's) as one jar. */
    private static void jarOfClasses(Path jar) throws IOException {
        Path classes;
        try {
            classes = Path.of(lnm.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if (Files.isRegularFile(classes)) {
            Files.copy(classes, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
    }
}
