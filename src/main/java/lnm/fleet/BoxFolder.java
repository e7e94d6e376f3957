package lnm.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import lnm.config.BoxName;
import lnm.config.ConfigLayer;
import lnm.config.LayerCheck;
import lnm.config.Problem;

/**
 * One box's folder in {@code fleet.dir} at the top: {@code allowlist.properties} (the box's whole
 * allowlist, required) and {@code lnm.properties} (overrides of the keys {@link FromAbove}
 * lists, optional), read once so that what is checked is exactly what gets signed.
 *
 * @param problems empty when the folder may be signed
 */
record BoxFolder(String name, Path dir, byte[] allowlist, byte[] overrides, List<Problem> problems) {

    /** Reads and checks {@code fleetDir/name}. */
    static BoxFolder read(Path fleetDir, String name) {
        Path dir = fleetDir.resolve(name);
        List<Problem> problems = new ArrayList<>();
        if (!BoxName.valid(name)) {
            problems.add(new Problem(dir, 0, "'" + name + "' is not a box name (lowercase letters, digits, '.', '-', '_')"));
            return new BoxFolder(name, dir, new byte[0], new byte[0], problems);
        }
        byte[] allow = readFile(dir.resolve(Bundle.ALLOWLIST), true, problems);
        byte[] over = readFile(dir.resolve(Bundle.OVERRIDES), false, problems);
        if (problems.isEmpty()) {
            problems.addAll(LayerCheck.problems(new ConfigLayer(dir.resolve(Bundle.ALLOWLIST),
                    new String(allow, StandardCharsets.UTF_8), dir.resolve(Bundle.OVERRIDES),
                    new String(over, StandardCharsets.UTF_8), FromAbove::allowed, FromAbove.whyNot())));
        }
        return new BoxFolder(name, dir, allow, over, List.copyOf(problems));
    }

    private static byte[] readFile(Path f, boolean required, List<Problem> problems) {
        try {
            byte[] b = Files.readAllBytes(f);
            if (b.length > Bundle.MAX_BYTES / 2) {
                problems.add(new Problem(f, 0, "too large: " + b.length + " bytes, at most " + Bundle.MAX_BYTES / 2));
            }
            return b;
        } catch (NoSuchFileException e) {
            if (required) {
                problems.add(new Problem(f, 0, "missing: every box folder needs its whole allowlist here"));
            }
        } catch (IOException e) {
            problems.add(new Problem(f, 0, "cannot read: " + e.getMessage()));
        }
        return new byte[0];
    }

    /** SHA-256 of both files, length-prefixed: equal digests, equal bundles. */
    String digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((allowlist.length + "\n").getBytes(StandardCharsets.US_ASCII));
            md.update(allowlist);
            md.update((overrides.length + "\n").getBytes(StandardCharsets.US_ASCII));
            md.update(overrides);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names of the box folders in {@code fleetDir} (sub-folders, hidden ones skipped), sorted. */
    static List<String> names(Path fleetDir) throws IOException {
        try (Stream<Path> s = Files.list(fleetDir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }
}
