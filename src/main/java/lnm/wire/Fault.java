package lnm.wire;

/**
 * Why a wire parser refused its input: the typed cause of {@link ParseResult.Invalid}.
 *
 * <p>One list for every parser, so a consumer maps it with an exhaustive {@code switch} that
 * the compiler checks: a new fault that nobody maps does not compile. The audit texts and
 * HTTP statuses are not here but on {@code lnm.audit.Reason}, which maps each fault of a
 * connection's head once ({@code Reason.of(Fault)}); the DNS server counts its one fault as a
 * malformed query.
 */
public enum Fault {
    /** A ClientHello (or SSLv2 hello) that is not well formed. */
    MALFORMED_HELLO,
    /** A ClientHello longer than the limit. */
    HELLO_TOO_LARGE,
    /** A server_name extension whose name is not a valid host name. */
    INVALID_SNI,
    /** A PROXY v2 header that is not well formed or asks for what lnm does not relay. */
    PROXY_PROTOCOL_INVALID,
    /** An HTTP request head (or chunked body framing) that is not strict HTTP/1.x. */
    HTTP_MALFORMED,
    /** An HTTP head (or trailer section) longer than the limit. */
    HTTP_HEAD_TOO_LARGE,
    /** More header (or trailer) lines than the limit. */
    HTTP_TOO_MANY_HEADERS,
    /** An HTTP version other than 1.0 or 1.1. */
    HTTP_VERSION,
    /** A missing, repeated or contradicting Host, or a bad authority. */
    HTTP_BAD_HOST,
    /** Framing two parsers may read differently: Content-Length with Transfer-Encoding and the like. */
    HTTP_SMUGGLING,
    /** A DNS message that is not well formed. */
    MALFORMED_DNS
}
