package lnm.config;

import java.util.Locale;

/**
 * What a listener does with a name the allowlist does not list ({@code policy},
 * {@code listen.<name>.policy}): refuse it, or relay it and audit that it would have been
 * refused. Only the allowlist check changes; {@code sources}, the destination guard, limits,
 * malformed hellos and missing SNI refuse in either.
 */
public enum Enforcement {
    /** Refuse names off the allowlist (the default). */
    ENFORCE,
    /** Relay names off the allowlist as an empty rule would, audited as would-deny: for learning what a plant needs. */
    REPORT;

    /** Parses {@code enforce} or {@code report}, case-insensitive. */
    public static Enforcement parse(String s) {
        String want = s.trim().toLowerCase(Locale.ROOT);
        for (Enforcement e : values()) {
            if (e.toString().equals(want)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + s.trim() + "'");
    }

    /** The lowercase config spelling. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
