package lnm.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lnm.config.Problem;

/**
 * Which boxes the top answers: a box is enrolled when its folder in {@code fleet.dir} has a
 * {@code box.pub} whose key lines include the one its pulls are signed with. {@code box.pub}
 * reads like SSH's authorized_keys: one public key line ({@code ed25519:...}, as
 * {@code lnm fleet keygen} writes to {@code FILE.pub}) per line, anything after the key on
 * the line ignored, blank lines and {@code #} comments allowed; two lines while the box's key
 * is rotated. It is read at every pull, so an edit takes effect at the next one.
 */
final class Enrolment {
    static final String FILE = "box.pub";
    private static final int MAX_BYTES = 16 * 1024;
    private static final int MAX_KEYS = 8;

    /** The usable key lines of a {@code box.pub}, and its lines that are not. */
    record Keys(List<String> lines, List<Problem> problems) {}

    private Enrolment() {}

    /**
     * Reads {@code boxDir/box.pub}.
     *
     * @throws NoSuchFileException when the box has no {@code box.pub}
     * @throws IOException         when it cannot be read or is too large
     */
    static Keys read(Path boxDir) throws IOException {
        Path f = boxDir.resolve(FILE);
        if (Files.size(f) > MAX_BYTES) {
            throw new IOException(f + ": more than " + MAX_BYTES + " bytes");
        }
        List<String> keys = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        String[] lines = Files.readString(f, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String token = l.split("\\s+", 2)[0];
            try {
                String k = KeyLines.line(KeyLines.publicKey(token));
                if (keys.size() >= MAX_KEYS) {
                    problems.add(new Problem(f, i + 1, "more than " + MAX_KEYS + " keys; this one is not used"));
                } else if (!keys.contains(k)) {
                    keys.add(k);
                }
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(f, i + 1, e.getMessage()));
            }
        }
        return new Keys(List.copyOf(keys), List.copyOf(problems));
    }

    /**
     * Why the top must not answer {@code p}, or null when the box is enrolled and signed it. Reads
     * nothing but the box's folder and its {@code box.pub}; changes nothing.
     */
    static String refusal(Path fleetDir, Pull p) {
        String name = p.report().name();
        Path dir = fleetDir.resolve(name);
        if (!Files.isDirectory(dir)) {
            return "box '" + name + "' is not enrolled: no folder in fleet.dir at the top";
        }
        Keys k;
        try {
            k = read(dir);
        } catch (NoSuchFileException e) {
            return "box '" + name + "' is not enrolled: no " + FILE + " in its folder at the top";
        } catch (IOException e) {
            return "box '" + name + "' is not enrolled: its " + FILE + " at the top cannot be read";
        }
        if (k.lines().isEmpty()) {
            return "box '" + name + "' is not enrolled: its " + FILE + " at the top has no key line";
        }
        if (!p.verifiedBy(k.lines())) {
            return "the pull's signature does not verify with any key in " + FILE + " of box '" + name + "'";
        }
        return null;
    }

    /**
     * What keeps a box folder from being answered, for {@code lnm check} and the status page:
     * bad key lines, or that the folder has no {@code box.pub} when {@code missingToo}.
     */
    static List<Problem> problems(Path boxDir, boolean missingToo) {
        try {
            Keys k = read(boxDir);
            if (k.lines().isEmpty() && k.problems().isEmpty()) {
                return List.of(new Problem(boxDir.resolve(FILE), 0, "no key line: the box is not enrolled"));
            }
            return k.problems();
        } catch (NoSuchFileException e) {
            return missingToo ? List.of(new Problem(boxDir.resolve(FILE), 0,
                    "missing: the box is not enrolled (put its fleet.boxKey's public key line here)")) : List.of();
        } catch (IOException e) {
            return List.of(new Problem(boxDir.resolve(FILE), 0, "cannot read: " + e.getMessage()));
        }
    }
}
