package lnm.net;

import lnm.audit.Reason;

/**
 * What the limits say of a new connection ({@link Services#admit}) or of the origin a trusted
 * PROXY v2 header named ({@link Services#admitOrigin}): admitted, or which limit refused it.
 */
enum Admission {
    ADMITTED(null, null),
    /** {@code limits.maxConnections}: every connection counted. */
    MAX_CONNECTIONS("maxConnections", Reason.LIMIT),
    /** {@code limits.perSourceConnections}: the source's connections. */
    PER_SOURCE_CONNECTIONS("perSourceConnections", Reason.LIMIT),
    /** {@code limits.perSourceRate}: the source's rate; the refusal gets a record of its own. */
    RATE_LIMITED("perSourceRate", Reason.RATE_LIMITED),
    /**
     * The same past the per-second threshold: the refusal is counted into one record
     * ({@link Services#countRefusal}) instead of one of its own.
     */
    RATE_COUNTED("perSourceRate", Reason.RATE_LIMITED);

    private final String limit;
    private final Reason reason;

    Admission(String limit, Reason reason) {
        this.limit = limit;
        this.reason = reason;
    }

    boolean admitted() {
        return this == ADMITTED;
    }

    /** The limit's name as the audit's {@code error} says it ({@code maxConnections reached}); null when admitted. */
    String limit() {
        return limit;
    }

    /** The audit reason of a refusal: {@code limit} or {@code rate_limited}; null when admitted. */
    Reason reason() {
        return reason;
    }
}
