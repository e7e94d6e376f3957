package lnm.audit;

import java.util.Set;
import java.util.TreeSet;

import lnm.config.PolicyReason;
import lnm.wire.Fault;

/**
 * Why a connection was allowed or refused: the audit record's {@code reason}. Each reason
 * carries its audit text (a contract: outside tools parse it, so the texts never change), the
 * HTTP status an http listener answers it with ({@code -1}: the client has gone, nothing is
 * sent), the message of that response, and whether it means the head never parsed (the
 * {@code lnm_hello_failures_total} metric).
 *
 * <p>{@link #REPORT} is an allow in report mode of a name no rule lists; the record's
 * {@code wouldDeny} says what enforcement would have answered.
 *
 * <p>Two reasons are prefixes completed per connection: {@link #ALLOWLIST} ({@code allowlist:}
 * and the matching pattern) and {@link #LISTENER} ({@code listener:} and the tcp listener's name).
 */
public enum Reason {
    // allowed
    ALLOWLIST("allowlist:", 403, false),
    LISTENER("listener:", 403, false),
    REPORT("report", 403, false),
    // refused by policy
    NOT_ALLOWLISTED("not_allowlisted", 403, false),
    NO_SNI("no_sni", 403, false),
    SOURCE_NOT_ALLOWED("source_not_allowed", 403, false),
    PORT_NOT_ALLOWED("port_not_allowed", 403, false),
    DESTINATION_FORBIDDEN("destination_forbidden", 403, false),
    SNI_MISMATCH("sni_mismatch", 403, false),
    HOST_CHANGED("host_changed", 403, false),
    LIMIT("limit", 503, false),
    RATE_LIMITED("rate_limited", 429, false),
    HEAD_BUDGET("head_budget", 503, false),
    ECH("ech", 403, false),
    // the head (PROXY header, request head, ClientHello) did not parse
    NO_HELLO("no_hello", -1, true),
    HELLO_INCOMPLETE("hello_incomplete", -1, true),
    HELLO_TIMEOUT("hello_timeout", 408, true),
    MALFORMED_HELLO("malformed_hello", 403, true),
    HELLO_TOO_LARGE("hello_too_large", 431, true),
    INVALID_SNI("invalid_sni", 403, true),
    PROXY_PROTOCOL_INVALID("proxy_protocol_invalid", 403, true),
    PROXY_PROTOCOL_UNTRUSTED("proxy_protocol_untrusted", 403, true),
    HTTP_MALFORMED("http_malformed", 400, false),
    HTTP_HEAD_TOO_LARGE("http_head_too_large", 431, false),
    HTTP_TOO_MANY_HEADERS("http_too_many_headers", 431, false),
    HTTP_VERSION("http_version", 505, false),
    HTTP_BAD_HOST("http_bad_host", 400, false),
    HTTP_SMUGGLING("http_smuggling", 400, false),
    HTTP_CONNECT_IN_STREAM("http_connect_in_stream", 400, false),
    // allowed, but the upstream could not be had
    DNS_FAILED("dns_failed", 502, false),
    DNS_TIMEOUT("dns_timeout", 504, false),
    UPSTREAM_UNREACHABLE("upstream_unreachable", 502, false),
    CONNECT_TIMEOUT("connect_timeout", 504, false),
    // allowed, but the egress proxy (egress.proxy) did not open the tunnel
    PROXY_UNREACHABLE("proxy_unreachable", 502, false),
    PROXY_AUTH_REQUIRED("proxy_auth_required", 502, false),
    PROXY_REFUSED("proxy_refused", 502, false),
    PROXY_BAD_RESPONSE("proxy_bad_response", 502, false),
    PROXY_TIMEOUT("proxy_timeout", 504, false),
    // after relaying started, or on lnm's side
    UPSTREAM_RESET("upstream_reset", 403, false),
    CLIENT_ERROR("client_error", -1, false),
    INTERNAL_ERROR("internal_error", 403, false);

    private final String text;
    private final int httpStatus;
    private final boolean helloFailure;

    Reason(String text, int httpStatus, boolean helloFailure) {
        this.text = text;
        this.httpStatus = httpStatus;
        this.helloFailure = helloFailure;
    }

    /** The audit text ({@code allowlist:} and {@code listener:} are prefixes). */
    public String text() {
        return text;
    }

    /** What an http listener answers, or -1 when nothing is sent (the client has gone). */
    public int httpStatus() {
        return httpStatus;
    }

    /** True when the reason means the head (hello, PROXY header) never parsed. */
    public boolean helloFailure() {
        return helloFailure;
    }

    /**
     * The message of the HTTP refusal.
     *
     * @param who the host the request named, or null before one is known
     * @param port the port the request named, or -1
     * @param detail what the parser or check said, or null
     */
    public String message(String who, int port, String detail) {
        String w = who == null ? "the request" : who;
        // A switch rather than a lambda per constant: the enum initializes before the listeners
        // open, and every lambda is a call site linked then.
        return switch (this) {
            case NOT_ALLOWLISTED -> w + " is not on the allowlist";
            case SOURCE_NOT_ALLOWED -> "this client address may not use this proxy";
            case PORT_NOT_ALLOWED -> w + ": " + detail;
            case DESTINATION_FORBIDDEN -> w + " resolves to an address lnm may not connect to";
            case HOST_CHANGED -> w + " is not " + detail + ", the host this connection was opened for; use a new connection";
            case LIMIT -> "too many connections, try again later";
            case RATE_LIMITED -> "too many new connections, try again later";
            case HEAD_BUDGET -> "too many unfinished requests, try again later";
            case ECH -> w + " is refused: its hello carries encrypted_client_hello";
            case HELLO_TIMEOUT -> "no complete request in time";
            case HELLO_TOO_LARGE -> "request head too large";
            case DNS_FAILED -> "cannot resolve " + w;
            case DNS_TIMEOUT -> "no DNS answer for " + w + " in time";
            case UPSTREAM_UNREACHABLE -> "cannot reach " + w + (port > 0 ? " port " + port : "");
            case CONNECT_TIMEOUT -> "connecting to " + w + " timed out";
            case PROXY_UNREACHABLE -> "cannot reach the egress proxy for " + w;
            case PROXY_AUTH_REQUIRED -> "the egress proxy wants credentials lnm does not have for " + w;
            case PROXY_REFUSED -> "the egress proxy refused " + w;
            case PROXY_BAD_RESPONSE -> "the egress proxy gave no HTTP answer for " + w;
            case PROXY_TIMEOUT -> "the egress proxy did not answer in time for " + w;
            default -> text.startsWith("http_") ? "bad request: " + (detail == null ? text : detail) : w + " is refused";
        };
    }

    /** The reason a parser's fault of a connection's head is audited with. */
    public static Reason of(Fault fault) {
        return switch (fault) {
            case MALFORMED_HELLO -> MALFORMED_HELLO;
            case HELLO_TOO_LARGE -> HELLO_TOO_LARGE;
            case INVALID_SNI -> INVALID_SNI;
            case PROXY_PROTOCOL_INVALID -> PROXY_PROTOCOL_INVALID;
            case HTTP_MALFORMED -> HTTP_MALFORMED;
            case HTTP_HEAD_TOO_LARGE -> HTTP_HEAD_TOO_LARGE;
            case HTTP_TOO_MANY_HEADERS -> HTTP_TOO_MANY_HEADERS;
            case HTTP_VERSION -> HTTP_VERSION;
            case HTTP_BAD_HOST -> HTTP_BAD_HOST;
            case HTTP_SMUGGLING -> HTTP_SMUGGLING;
            // DNS queries are not connections: the DNS server audits them with its own results.
            case MALFORMED_DNS -> throw new IllegalArgumentException("a DNS fault is not a connection reason");
        };
    }

    /** The reason a policy decision is audited with ({@link #ALLOWLIST} for an allow). */
    public static Reason of(PolicyReason reason) {
        return switch (reason) {
            case ALLOWLIST -> ALLOWLIST;
            case REPORT -> REPORT;
            case SOURCE_NOT_ALLOWED -> SOURCE_NOT_ALLOWED;
            case NO_SNI -> NO_SNI;
            case NOT_ALLOWLISTED -> NOT_ALLOWLISTED;
            case PORT_NOT_ALLOWED -> PORT_NOT_ALLOWED;
        };
    }

    /** The audit texts of the reasons that count as hello failures, sorted. */
    public static Set<String> helloFailureTexts() {
        Set<String> s = new TreeSet<>();
        for (Reason r : values()) {
            if (r.helloFailure) {
                s.add(r.text);
            }
        }
        return Set.copyOf(s);
    }
}
