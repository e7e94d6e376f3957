package lnm.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lnm.config.BoxName;
import lnm.config.Config;
import lnm.config.Key;
import lnm.config.Problem;

/**
 * What {@code lnm check} adds for the fleet: on the top box, the signing key loads, every box
 * folder in {@code fleet.dir} passes the same checks as the box's own {@code lnm check} would
 * give its allowlist and overrides, and the key lines of its {@code box.pub} parse (a folder
 * without one is legal: its box is simply not answered yet); on a box that pulls, its own key
 * ({@code fleet.boxKey}) loads.
 */
public final class FleetCheck {
    private FleetCheck() {}

    /** Problems of the fleet folders and keys, empty for a box not in a fleet. */
    public static List<Problem> problems(Config c) {
        List<Problem> out = new ArrayList<>();
        Path base = c.file().toAbsolutePath().getParent();
        if (FleetSource.pulls(c)) {
            try {
                KeyLines.readPrivate(base.resolve(c.get(Key.FLEET_BOX_KEY)).normalize());
            } catch (IOException e) {
                out.add(new Problem(c.file(), 0, "fleet.boxKey: " + e.getMessage()));
            }
        }
        if (c.get(Key.FLEET_DIR).isEmpty()) {
            return out;
        }
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
                if (BoxName.valid(name)) {
                    out.addAll(Enrolment.problems(dir.resolve(name), false));
                }
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
