package lnm.config;

/**
 * Why {@link Policy#decide} (or a listener's port check) allowed or refused a connection.
 * The audit text of each is on {@code lnm.audit.Reason}, which maps these once with a switch
 * the compiler checks.
 */
public enum PolicyReason {
    /** Allowed: an allowlist rule matched (the audit text adds the rule's pattern). */
    ALLOWLIST,
    /**
     * Allowed in report mode though no allowlist rule matches: {@link Decision#wouldDeny()} says
     * what enforcement would have answered.
     */
    REPORT,
    /** The client address is not in {@code sources}. */
    SOURCE_NOT_ALLOWED,
    /** The hello named no server. */
    NO_SNI,
    /** No allowlist rule matches the name. */
    NOT_ALLOWLISTED,
    /** An http listener's request names a port its listener does not allow. */
    PORT_NOT_ALLOWED
}
