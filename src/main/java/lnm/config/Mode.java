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

    /** Parses {@code tls}, {@code tcp} or {@code http} (case-insensitive). */
    public static Mode parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "tls": return TLS;
            case "tcp": return TCP;
            case "http": return HTTP;
            default: throw new IllegalArgumentException("unknown mode '" + s.trim() + "'");
        }
    }

    /** The lowercase config spelling. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
