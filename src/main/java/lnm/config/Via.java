package lnm.config;

import java.util.Locale;

/** How an allowed connection reaches its upstream; the audit record prints it lowercase. */
public enum Via {
    /** Resolve the SNI name with DNS here and connect (the top level). */
    DIRECT,
    /** Hand the connection to the lnm one level up. */
    PARENT,
    /** Connect to a fixed host:port from the allowlist or a tcp listener. */
    FIXED;

    /** The lowercase audit spelling: {@code direct}, {@code parent}, {@code fixed}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
