package lnm.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.ExecutorService;

import javax.net.ssl.X509ExtendedTrustManager;

import lnm.config.Config;
import lnm.net.DirectGuard;

/**
 * What every probe of one run shares.
 *
 * @param config the box's config (its parents, their header, its level)
 * @param port the port probed when a route does not name one (a device's listener port)
 * @param timeoutMillis the limit of each step (a lookup, a connect, the proxy's answer, each
 *     read of the handshake); a name gets at most {@link #overallMillis()} in all
 * @param trust the trust the certificates are checked against (the JDK's default store, or
 *     {@code --truststore})
 * @param lookup how names are resolved
 * @param lookups where lookups run, so that one that hangs is given up after the step's limit
 * @param guard the addresses a {@code direct} name may not reach, as the box's connections judge them
 */
public record Settings(Config config, int port, int timeoutMillis, X509ExtendedTrustManager trust, Lookup lookup,
        ExecutorService lookups, DirectGuard guard) {

    /** Resolves a host name; the system resolver unless a test passes its own. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress[] resolve(String host) throws IOException;
    }

    /** The system resolver, as lnm's resolver pool uses it. */
    public static final Lookup SYSTEM = InetAddress::getAllByName;

    /** How many steps' worth of time one name may take in all. */
    public static final int OVERALL_STEPS = 3;

    /** The most addresses of one name tried. */
    public static final int MAX_ADDRESSES = 8;

    /** Settings with the box's own destination guard ({@link DirectGuard#of}). */
    public Settings(Config config, int port, int timeoutMillis, X509ExtendedTrustManager trust, Lookup lookup,
            ExecutorService lookups) {
        this(config, port, timeoutMillis, trust, lookup, lookups, DirectGuard.of(config));
    }

    public Settings {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeout " + timeoutMillis);
        }
    }

    /** The limit of one name, all steps together. */
    public long overallMillis() {
        return (long) timeoutMillis * OVERALL_STEPS;
    }
}
