package lnm.config;

/**
 * The outcome of {@link Policy#decide}.
 *
 * @param allowed whether to connect
 * @param reason audit reason: {@code allowlist:<pattern>}, {@code source_not_allowed}, {@code no_sni}, {@code not_allowlisted}
 * @param rule the allowlist rule that matched, or null
 * @param via how to reach the upstream; null if denied
 * @param upstream where to connect; null if denied. For {@link Via#DIRECT} the host is the
 *     (normalized) SNI name and still needs DNS; the port is always set (never -1)
 */
public record Decision(boolean allowed, String reason, Rule rule, Via via, HostPort upstream) {

    public static final String SOURCE_NOT_ALLOWED = "source_not_allowed";
    public static final String NO_SNI = "no_sni";
    public static final String NOT_ALLOWLISTED = "not_allowlisted";
    public static final String ALLOWLIST_PREFIX = "allowlist:";

    /** A denial with one of the reason constants. */
    public static Decision deny(String reason) {
        return new Decision(false, reason, null, null, null);
    }

    /** An allow by {@code rule}, with reason {@code allowlist:<pattern>}. */
    public static Decision allow(Rule rule, Via via, HostPort upstream) {
        return new Decision(true, ALLOWLIST_PREFIX + rule.pattern(), rule, via, upstream);
    }

    /** {@code allow} or {@code deny}, as the audit record spells it. */
    public String decisionText() {
        return allowed ? "allow" : "deny";
    }
}
