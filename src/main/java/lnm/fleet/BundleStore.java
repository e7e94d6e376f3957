package lnm.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.ConfigLayer;
import lnm.config.Key;
import lnm.config.LoadResult;

/**
 * A pulling box's last good bundle on its own disk, in {@code fleet.state}: {@code bundle} (the
 * signed bytes exactly as received, the only thing that counts) and, for people to read, copies
 * of its {@code allowlist.properties} and {@code lnm.properties} (edits there change nothing).
 * Every config load of a pulling box lays the stored bundle over {@code lnm.properties}, after
 * checking its signature again, so a box boots with it when its source is unreachable.
 */
public final class BundleStore {
    private static final Logger LOG = Logger.getLogger(BundleStore.class.getName());
    static final String BUNDLE = "bundle";

    private BundleStore() {}

    /** The {@code fleet.state} folder, resolved against the config's folder. */
    static Path stateDir(Config c) {
        Path base = c.file().toAbsolutePath().getParent();
        return base.resolve(c.get(Key.FLEET_STATE)).normalize();
    }

    /**
     * Reads and validates {@code lnmProperties} as the box runs it (see {@link Config#load(Path)}):
     * a box that pulls from a fleet runs its last good bundle over the file, if it has one.
     */
    public static LoadResult load(Path lnmProperties) {
        LoadResult local = Config.load(lnmProperties);
        if (!local.ok()) {
            return local;
        }
        ConfigLayer layer = layerInForce(local.config());
        return layer == null ? local : Config.load(lnmProperties, layer);
    }

    /**
     * The layer of the stored bundle for a box that pulls, or null (no pulls, no bundle yet, or a
     * stored bundle that no longer verifies, which is logged and then ignored).
     */
    public static ConfigLayer layerInForce(Config local) {
        Bundle b = inForce(local);
        if (b == null) {
            return null;
        }
        Path dir = stateDir(local);
        return layer(b, dir.resolve(Bundle.ALLOWLIST), dir.resolve(Bundle.OVERRIDES));
    }

    /** The stored bundle if it verifies for this box, else null. */
    static Bundle inForce(Config local) {
        if (!FleetSource.pulls(local)) {
            return null;
        }
        Path f = stateDir(local).resolve(BUNDLE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warning(f + ": cannot read the stored fleet bundle (" + e.getMessage() + "); running without it");
            return null;
        }
        try {
            Bundle b = Bundle.parse(bytes);
            String why = refusal(b, local);
            if (why != null) {
                LOG.warning(f + ": stored fleet bundle ignored: " + why);
                return null;
            }
            return b;
        } catch (IllegalArgumentException e) {
            LOG.warning(f + ": stored fleet bundle ignored: " + e.getMessage());
            return null;
        }
    }

    /** Why this box must not run this bundle (signature, box name), or null if it may. */
    static String refusal(Bundle b, Config local) {
        if (!b.verifiedBy(local.get(Key.FLEET_TRUST))) {
            return "signature does not verify with any key in fleet.trust";
        }
        if (!b.box().equals(local.get(Key.NAME))) {
            return "bundle is for box '" + b.box() + "', this box is '" + local.get(Key.NAME) + "'";
        }
        return null;
    }

    /** A layer of {@code b}'s files; problems name the given paths. */
    static ConfigLayer layer(Bundle b, Path allowlistName, Path overridesName) {
        return new ConfigLayer(allowlistName, new String(b.allowlist(), StandardCharsets.UTF_8), overridesName,
                new String(b.overrides(), StandardCharsets.UTF_8), FromAbove::allowed, FromAbove.whyNot());
    }

    /** Stores an accepted bundle: the readable copies first, then the bundle itself, atomically. */
    static void commit(Config local, Bundle b) throws IOException {
        Path dir = stateDir(local);
        Files.createDirectories(dir);
        write(dir.resolve(Bundle.ALLOWLIST), b.allowlist());
        write(dir.resolve(Bundle.OVERRIDES), b.overrides());
        write(dir.resolve(BUNDLE), b.bytes());
    }

    static void write(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(tmp, content);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
