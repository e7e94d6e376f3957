package lnm.config;

import java.util.Locale;

/** What a listener does with a connection ({@code listen.<name>.mode}). */
public enum Mode {
    /** Peek the ClientHello, decide on its SNI, pass TLS through untouched (the default). */
    TLS,
    /** Forward every connection to the listener's fixed {@code target} (layer-4 reverse proxy). */
    TCP,
    /** Plain HTTP: decide on the Host header / CONNECT authority. */
    HTTP;

    /**
     * Parses a mode's config spelling, its lowercase name ({@code tls}, {@code tcp}, {@code http}),
     * case-insensitive. A new mode is one more constant here; its spelling follows.
     */
    public static Mode parse(String s) {
        String want = s.trim().toLowerCase(Locale.ROOT);
        for (Mode m : values()) {
            if (m.toString().equals(want)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + s.trim() + "'");
    }

    /** The spellings {@link #parse} takes, for the key's description: {@code tls, tcp or http}. */
    public static String choices() {
        Mode[] all = values();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            sb.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i]);
        }
        return sb.toString();
    }

    /** The lowercase config spelling. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
