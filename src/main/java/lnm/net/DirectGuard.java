package lnm.net;

import java.net.InetAddress;

import lnm.config.Config;

/**
 * The destination guard of {@code direct} names for code outside the engine: the same rules
 * ({@code Destinations}, this box's interface addresses as they are now, and
 * {@code direct.allowSpecialAddresses}) the connections use, so that {@code lnm probe} refuses
 * exactly the addresses a device's connection would be refused.
 */
public final class DirectGuard {
    private final Destinations.Guard guard;

    private DirectGuard(Destinations.Guard guard) {
        this.guard = guard;
    }

    /** The guard of {@code c} with this box's interface addresses read now. */
    public static DirectGuard of(Config c) {
        return new DirectGuard(Destinations.scan().guard(c.directAllowSpecial()));
    }

    /** Why {@code a} may not be reached by a {@code direct} name, or null if it may. */
    public String forbidden(InetAddress a) {
        return guard.forbidden(a);
    }
}
