package lnm.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lnm.config.Config;
import lnm.config.Key;
import lnm.config.Problem;

/**
 * What {@code lnm check} adds on the top box: the signing key loads, and every box folder in
 * {@code fleet.dir} passes the same checks as the box's own {@code lnm check} would give its
 * allowlist and overrides, so an operator checks the whole plant before any box pulls it.
 */
public final class FleetCheck {
    private FleetCheck() {}

    /** Problems of the fleet folders and key, empty for a box that is not the top. */
    public static List<Problem> problems(Config c) {
        List<Problem> out = new ArrayList<>();
        if (c.get(Key.FLEET_DIR).isEmpty()) {
            return out;
        }
        Path base = c.file().toAbsolutePath().getParent();
        Path dir = base.resolve(c.get(Key.FLEET_DIR)).normalize();
        try {
            KeyLines.readPrivate(base.resolve(c.get(Key.FLEET_KEY)).normalize());
        } catch (IOException e) {
            out.add(new Problem(c.file(), 0, "fleet.key: " + e.getMessage()));
        }
        if (!Files.isDirectory(dir)) {
            out.add(new Problem(dir, 0, "fleet.dir is not a folder"));
            return out;
        }
        try {
            for (String name : BoxFolder.names(dir)) {
                out.addAll(BoxFolder.read(dir, name).problems());
            }
        } catch (IOException e) {
            out.add(new Problem(dir, 0, "cannot list: " + e.getMessage()));
        }
        return out;
    }

    /** How many box folders {@code fleet.dir} has (for the summary line). */
    public static int boxes(Config c) {
        Path dir = c.file().toAbsolutePath().getParent().resolve(c.get(Key.FLEET_DIR));
        try {
            return BoxFolder.names(dir).size();
        } catch (IOException e) {
            return 0;
        }
    }
}
