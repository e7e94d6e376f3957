package lnm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The fleet keys that only make sense together, checked with the rest of {@code lnm.properties}
 * (by {@code lnm check}, at start and on every reload). A box is the top (signs: {@code fleet.dir}
 * and {@code fleet.key}, serves them on {@code fleet.listen}), or pulls ({@code fleet.source} and
 * {@code fleet.trust}, signing its pulls with {@code fleet.boxKey}; and relays too if it has
 * {@code fleet.listen}), or is not in a fleet.
 */
public final class FleetSettings {
    private FleetSettings() {}

    /**
     * @param value the parsed value of a key (null if it was invalid, already reported)
     * @param line  the line a key is set on, 0 if defaulted
     */
    public static List<Problem> problems(Path file, Function<Key<?>, Object> value, Function<Key<?>, Integer> line) {
        List<Problem> out = new ArrayList<>();
        Object dir = value.apply(Key.FLEET_DIR);
        Object key = value.apply(Key.FLEET_KEY);
        Object source = value.apply(Key.FLEET_SOURCE);
        Object trust = value.apply(Key.FLEET_TRUST);
        Object listen = value.apply(Key.FLEET_LISTEN);
        Object boxKey = value.apply(Key.FLEET_BOX_KEY);
        if (dir == null || key == null || source == null || trust == null || listen == null || boxKey == null) {
            return out;
        }
        boolean signs = !((String) dir).isEmpty();
        boolean pulls = !((String) source).isEmpty();
        boolean listens = ((Optional<?>) listen).isPresent();
        if (signs && ((String) key).isEmpty()) {
            out.add(at(file, line, Key.FLEET_DIR, "fleet.dir is set but fleet.key is not: the top box signs bundles with "
                    + "fleet.key (make one with lnm fleet keygen FILE)"));
        }
        if (!signs && !((String) key).isEmpty()) {
            out.add(at(file, line, Key.FLEET_KEY, "fleet.key is set but fleet.dir is not: only the top box signs, from fleet.dir"));
        }
        if (signs && pulls) {
            out.add(at(file, line, Key.FLEET_SOURCE, "fleet.source is set on the top box (fleet.dir): the top signs and does "
                    + "not pull; remove one of them"));
        }
        if (signs && !listens) {
            out.add(at(file, line, Key.FLEET_DIR, "fleet.dir is set but fleet.listen is off: the boxes below could not pull"));
        }
        if (listens && !signs && !pulls) {
            out.add(at(file, line, Key.FLEET_LISTEN, "fleet.listen needs fleet.dir and fleet.key (the top box) or fleet.source "
                    + "(a middle box that relays)"));
        }
        if (pulls && ((Collection<?>) trust).isEmpty()) {
            out.add(at(file, line, Key.FLEET_SOURCE, "fleet.source is set but fleet.trust is empty: no bundle could be accepted; "
                    + "set fleet.trust to the public key line of the top box"));
        }
        if (pulls && ((String) boxKey).isEmpty()) {
            out.add(at(file, line, Key.FLEET_SOURCE, "fleet.source is set but fleet.boxKey is not: a box signs its pulls with "
                    + "its own key (make one with lnm fleet keygen FILE, and put FILE.pub's line into fleet.dir/<name>/box.pub "
                    + "at the top)"));
        }
        if (!pulls && !((String) boxKey).isEmpty()) {
            out.add(at(file, line, Key.FLEET_BOX_KEY, "fleet.boxKey is set but fleet.source is not: only a box that pulls "
                    + "signs its pulls"));
        }
        if ("parent".equals(source) && !hasParent(value.apply(Key.PARENT))) {
            out.add(at(file, line, Key.FLEET_SOURCE, "fleet.source = parent, but no parent is set; set parent or fleet.source = host:port"));
        }
        return out;
    }

    private static boolean hasParent(Object p) {
        return p != null && !(p instanceof Collection<?> c && c.isEmpty());
    }

    private static Problem at(Path file, Function<Key<?>, Integer> line, Key<?> k, String message) {
        Integer n = line.apply(k);
        return new Problem(file, n == null ? 0 : n, message);
    }
}
