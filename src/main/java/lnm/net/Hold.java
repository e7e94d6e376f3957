package lnm.net;

import java.net.InetAddress;

/**
 * What one connection holds against the limits: counted in the total at accept when admitted
 * ({@link Services#admit}), and per source under the key it counts as (the peer's, or the
 * origin's a trusted PROXY v2 header named, {@link Services#admitOrigin}); released once when
 * it closes. A refusal past the rate limit's threshold is counted into another connection's
 * record and has none of its own.
 */
final class Hold {
    private final Services services;
    private final Admission admission;
    /** The source key counted per source ({@link Services#key}); null: the total only. */
    private InetAddress countedAs;
    private boolean intoAnother;
    private boolean released;

    Hold(Services services, Admission admission) {
        this.services = services;
        this.admission = admission;
    }

    /** What the limits said at accept. */
    Admission admission() {
        return admission;
    }

    boolean admitted() {
        return admission.admitted();
    }

    /** Admitted, but not yet counted per source: a trusted PROXY peer whose origin is not known yet. */
    boolean awaitsOrigin() {
        return admitted() && countedAs == null;
    }

    /** Now counted per source under {@code key}. */
    void countedAs(InetAddress key) {
        countedAs = key;
    }

    /** This refusal is counted into another record ({@link Services#countRefusal}). */
    void countIntoAnother() {
        intoAnother = true;
    }

    /** Whether the connection's record is written on its own when it closes. */
    boolean ownRecord() {
        return !intoAnother;
    }

    /** Gives back what was counted; once. */
    void release() {
        if (admitted() && !released) {
            released = true;
            services.release(countedAs);
        }
    }
}
