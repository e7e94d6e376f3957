package lnm.config;

/**
 * The outcome of {@link Policy#decide}.
 *
 * @param allowed whether to connect
 * @param reason why: {@link PolicyReason#ALLOWLIST} (with {@code rule}) when allowed, else the
 *     refusal's cause
 * @param rule the allowlist rule that matched, or null
 * @param via how to reach the upstream; null if denied
 * @param upstream where to connect; null if denied. For {@link Via#DIRECT} the host is the
 *     (normalized) SNI name and still needs DNS; the port is always set (never -1)
 * @param wouldDeny in report mode, the refusal enforcement would have given an allowed name
 *     ({@link PolicyReason#NOT_ALLOWLISTED}); null otherwise
 */
public record Decision(boolean allowed, PolicyReason reason, Rule rule, Via via, HostPort upstream, PolicyReason wouldDeny) {

    /** A denial for {@code reason}. */
    public static Decision deny(PolicyReason reason) {
        return new Decision(false, reason, null, null, null, null);
    }

    /** An allow by {@code rule}. */
    public static Decision allow(Rule rule, Via via, HostPort upstream) {
        return new Decision(true, PolicyReason.ALLOWLIST, rule, via, upstream, null);
    }

    /** An allow in report mode of what enforcement refuses for {@code wouldDeny}: no rule, reason {@link PolicyReason#REPORT}. */
    public static Decision report(PolicyReason wouldDeny, Via via, HostPort upstream) {
        return new Decision(true, PolicyReason.REPORT, null, via, upstream, wouldDeny);
    }

    /** {@code allow} or {@code deny}, as the audit record spells it. */
    public String decisionText() {
        return allowed ? "allow" : "deny";
    }
}
