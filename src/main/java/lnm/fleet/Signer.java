package lnm.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

import lnm.config.Problem;
import lnm.config.PropertiesReader;

/**
 * The top box's signing side: one bundle per box folder, with a generation that rises every
 * time the folder's content changes. Generations are kept in {@code fleet.state/generations}
 * ({@code name = generation digest}) so they keep rising across restarts; if that file is
 * lost, a box's report of the generation it runs lifts the counter above it, so boxes never
 * see a rollback.
 */
final class Signer {
    private static final Logger LOG = Logger.getLogger(Signer.class.getName());
    /** A reported generation above this is not believed (a box's key may be stolen; the counter must not run out). */
    private static final long MAX_REPORTED = 1L << 50;

    /** A bundle to serve, or why there is none. */
    record Outcome(Bundle bundle, List<Problem> problems) {}

    private record Signed(long generation, String digest, Bundle bundle) {}

    private final Path fleetDir;
    private final Path stateFile;
    private final PrivateKey key;
    private final Map<String, Signed> signed = new HashMap<>();

    Signer(Path fleetDir, Path stateDir, PrivateKey key) throws IOException {
        this.fleetDir = fleetDir;
        this.stateFile = stateDir.resolve("generations");
        this.key = key;
        Files.createDirectories(stateDir);
        if (Files.exists(stateFile)) {
            for (PropertiesReader.Entry e : PropertiesReader.read(stateFile).entries()) {
                String[] v = e.value().trim().split(" ");
                try {
                    signed.put(e.key(), new Signed(Long.parseLong(v[0]), v.length > 1 ? v[1] : "", null));
                } catch (NumberFormatException ex) {
                    LOG.warning(stateFile + ":" + e.line() + ": ignored (not a generation)");
                }
            }
        }
    }

    /**
     * The bundle for {@code box} as its folder is now, signing a new generation if the folder
     * changed (or the box runs a generation above the one on record).
     */
    synchronized Outcome bundle(String box, long reportedGeneration) {
        BoxFolder f = BoxFolder.read(fleetDir, box);
        if (!f.problems().isEmpty()) {
            return new Outcome(null, f.problems());
        }
        String digest = f.digest();
        Signed s = signed.get(box);
        long reported = reportedGeneration < MAX_REPORTED ? reportedGeneration : 0;
        if (s == null || !s.digest().equals(digest) || reported > s.generation()) {
            long gen = Math.max(s == null ? 0 : s.generation(), reported) + 1;
            s = new Signed(gen, digest, Bundle.sign(box, gen, f.allowlist(), f.overrides(), key));
            signed.put(box, s);
            save();
            LOG.info("fleet: signed generation " + gen + " for box " + box);
        } else if (s.bundle() == null) {
            s = new Signed(s.generation(), digest, Bundle.sign(box, s.generation(), f.allowlist(), f.overrides(), key));
            signed.put(box, s);
        }
        return new Outcome(s.bundle(), List.of());
    }

    /** The answer to one pull: {@code b} bound to the pull's nonce under the top's key. */
    byte[] answer(Bundle b, String nonce) {
        return Answer.sign(b, nonce, key);
    }

    /** The newest generation signed for {@code box}, 0 if none. */
    synchronized long newest(String box) {
        Signed s = signed.get(box);
        return s == null ? 0 : s.generation();
    }

    private void save() {
        StringBuilder sb = new StringBuilder("# box = generation sha256-of-folder (written by lnm; keeps generations rising)\n");
        new TreeMap<>(signed).forEach((k, v) -> sb.append(k).append(" = ").append(v.generation()).append(' ')
                .append(v.digest()).append('\n'));
        try {
            BundleStore.write(stateFile, sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warning(stateFile + ": cannot save generations (" + e.getMessage() + "); they restart from the boxes' reports");
        }
    }
}
