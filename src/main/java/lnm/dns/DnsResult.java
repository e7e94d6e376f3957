package lnm.dns;

/**
 * How a DNS query ended; every query that reaches the DNS server ends in exactly one of these,
 * and {@link DnsCounters} counts each.
 */
public enum DnsResult {
    /** An allowlisted name, answered authoritatively (addresses, or an empty NOERROR). */
    ANSWERED("answered"),
    /** A name not on the allowlist, with no {@code dns.upstream}: REFUSED. */
    REFUSED("refused"),
    /** Relayed to {@code dns.upstream} and its answer relayed back. */
    FORWARDED("forwarded"),
    /** Forwarded, but no upstream answered in time (or none could be asked): SERVFAIL. */
    SERVFAIL("servfail"),
    /** Over the client's rate: dropped (UDP) or REFUSED (TCP). */
    RATELIMITED("ratelimited"),
    /** Did not parse, or not exactly one question: FORMERR, or nothing if even the header is bad. */
    MALFORMED("malformed"),
    /** A well-formed query lnm does not serve: an opcode other than QUERY (NOTIMP) or EDNS version above 0 (BADVERS). */
    UNSUPPORTED("unsupported"),
    /** From an address outside {@code dns.sources}: dropped without an answer. */
    SOURCE_DENIED("source_denied");

    private final String label;

    DnsResult(String label) {
        this.label = label;
    }

    /** The name used in metrics and audit lines. */
    public String label() {
        return label;
    }
}
