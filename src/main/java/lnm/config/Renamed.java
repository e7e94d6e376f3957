package lnm.config;

import java.util.List;
import java.util.function.Function;

/**
 * An old key still accepted: its value is read as the new key's, and {@code lnm check} and
 * {@code lnm run} warn, saying why the key changed. Old keys are not in {@link Key#GLOBALS}, so
 * {@code lnm check --print} shows the new one.
 */
record Renamed<O, N>(Key<O> old, Key<N> now, Function<O, N> convert, String why) {

    static final List<Renamed<?, ?>> ALL = List.of(
            new Renamed<>(Key.DIRECT_ALLOW_PRIVATE, Key.DIRECT_ALLOW_SPECIAL, b -> b ? CidrSet.any() : CidrSet.none(),
                    "it never governed private (RFC 1918) ranges, which are always allowed"));

    /** The renamed key called {@code name}, or null. */
    static Renamed<?, ?> of(String name) {
        for (Renamed<?, ?> r : ALL) {
            if (r.old.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** The new key's value for the old key's. */
    @SuppressWarnings("unchecked")
    Object convert(Object oldValue) {
        return convert.apply((O) oldValue);
    }
}
