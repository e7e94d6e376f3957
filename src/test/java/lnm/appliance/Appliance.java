package lnm.appliance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The appliance tarball built by {@code make appliance}, unpacked once per test run, and
 * installs of it into temporary roots. Tests that need it are skipped, with the reason
 * printed, when it has not been built or when they are not run as root.
 */
final class Appliance {
    private static Path unpacked;
    private static Path shared;

    private Appliance() {}

    /** build/lnm-VERSION-linux-x64.tar.gz, the newest if there are several. */
    static Optional<Path> tarball() {
        Path build = Path.of("build");
        if (!Files.isDirectory(build)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(build)) {
            return s.filter(p -> p.getFileName().toString().matches("lnm-.+-linux-x64\\.tar\\.gz"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assume(boolean condition, String reason) {
        if (!condition) {
            System.err.println("SKIPPED " + reason);
        }
        assumeTrue(condition, reason);
    }

    /** The unpacked lnm-VERSION-linux-x64 directory; skips the test when there is no tarball. */
    static synchronized Path unpacked() throws IOException {
        Optional<Path> t = tarball();
        assume(t.isPresent(), "no build/lnm-*-linux-x64.tar.gz: run `make appliance` first");
        assume(Sh.isRoot(), "install.sh sets owners (root:lnm): run these tests as root");
        if (unpacked == null) {
            Path dir = Files.createTempDirectory("lnm-appliance-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Sh.run(List.of("rm", "-rf", dir.toString()))));
            Sh.run(List.of("tar", "-C", dir.toString(), "-xzf", t.get().toString())).ok();
            unpacked = dir.resolve(t.get().getFileName().toString().replace(".tar.gz", ""));
        }
        return unpacked;
    }

    /**
     * One install shared by the tests that only read it: {@code --harden --plant-if plant0
     * --outside-if wan0 --enable} into a temporary root.
     */
    static synchronized Path sharedInstall() throws IOException {
        Path dir = unpacked().getParent();
        if (shared == null) {
            Path root = dir.resolve("shared-root");
            install(root, "--harden", "--plant-if", "plant0", "--outside-if", "wan0", "--enable").ok();
            shared = root;
        }
        return shared;
    }

    static String version() throws IOException {
        String n = unpacked().getFileName().toString();
        return n.substring("lnm-".length(), n.length() - "-linux-x64".length());
    }

    /** Runs appliance/install.sh with --destdir ROOT and the given options. */
    static Sh install(Path root, String... options) throws IOException {
        return script("install.sh", root, options);
    }

    static Sh uninstall(Path root, String... options) throws IOException {
        return script("uninstall.sh", root, options);
    }

    private static Sh script(String name, Path root, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(unpacked().resolve("appliance").resolve(name).toString(),
                "--destdir", root.toString()));
        cmd.addAll(List.of(options));
        return Sh.run(cmd, Map.of("DESTDIR", ""), null);
    }

    /** A copy of an installed unit whose /opt/lnm and /etc/lnm paths point into ROOT. */
    static Path unitForHost(Path root, String unit, Path dir) throws IOException {
        String text = Files.readString(root.resolve("etc/systemd/system").resolve(unit))
                .replace("/opt/lnm/", root + "/opt/lnm/")
                .replace("/etc/lnm/", root + "/etc/lnm/");
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(unit), text);
    }
}
