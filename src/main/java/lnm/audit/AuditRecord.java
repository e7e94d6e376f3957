package lnm.audit;

import java.util.List;

/**
 * One connection's audit record, filled in as the connection goes and written once when it ends.
 *
 * <p>Field names are a contract (docs/CONTRACTS.md, "Audit record"): time, listener, level, client,
 * origin, sni or host, alpn, tls, decision, reason, via, upstream, bytesUp, bytesDown,
 * durationMs, closedBy.
 */
public final class AuditRecord {
    public final long startMillis = System.currentTimeMillis();
    public final String listener;
    public final int level;
    public final String client;
    public String origin;
    public String sni;
    public String host;
    public List<String> alpn = List.of();
    public String tls;
    /** The hello carried encrypted_client_hello: its sni is the outer name. */
    public boolean ech;
    public String decision = "deny";
    public String reason;
    public String via;
    public String upstream;
    public long bytesUp;
    public long bytesDown;
    public String closedBy;
    /** Extensions: the allowlist pattern that matched, and what went wrong, if anything. */
    public String rule;
    public String error;
    /** Time to establish the upstream TCP connection, -1 when none was made. */
    public long connectMillis = -1;
    /** HTTP listeners: the request's method and path (plain HTTP, without the query), the
     * status lnm itself answered (0 when the upstream answered), and requests seen on the connection. */
    public String method;
    public String path;
    public int status;
    public int requests;
    /** Connections this record stands for, when it counts refusals ({@code rate_limited}); 0 for one connection. */
    public int count;

    public AuditRecord(String listener, int level, String client) {
        this.listener = listener;
        this.level = level;
        this.client = client;
    }

    /** Sets {@code reason} to {@code r}'s audit text. */
    public void reason(Reason r) {
        reason = r.text();
    }

    /** Sets {@code reason} to a prefix reason's text and its qualifier ({@code allowlist:*.example.com}). */
    public void reason(Reason r, String qualifier) {
        reason = r.text() + qualifier;
    }

    /** Sets {@code closedBy} unless it is set already: the first side to end the stream is the one named. */
    public void closedByFirst(Side s) {
        if (closedBy == null) {
            closedBy = s.text();
        }
    }

    /**
     * Each thread's buffer for writing records (an audit record is 300-500 characters); only
     * the finished line is a new object. One that grew past {@link #KEEP_CHARS} is not kept.
     */
    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(640));
    private static final int KEEP_CHARS = 4096;

    /** The record as one JSON object, without a line end. */
    public String toJson(long endMillis) {
        StringBuilder buffer = BUFFER.get();
        if (buffer.capacity() > KEEP_CHARS) {
            buffer = new StringBuilder(640);
            BUFFER.set(buffer);
        }
        Json j = new Json(buffer);
        j.field("time", IsoTime.format(startMillis));
        j.field("listener", listener);
        j.field("level", level);
        j.field("client", client);
        j.field("origin", origin);
        if (host != null && sni == null) {
            j.field("host", host);
        } else {
            j.field("sni", sni);
            if (host != null) {
                j.field("host", host); // a CONNECT tunnel: the CONNECT host next to the hello's SNI
            }
        }
        j.field("alpn", alpn);
        j.field("tls", tls);
        if (ech) {
            j.field("ech", true);
        }
        j.field("decision", decision);
        j.field("reason", reason);
        j.field("via", via);
        j.field("upstream", upstream);
        j.field("bytesUp", bytesUp);
        j.field("bytesDown", bytesDown);
        j.field("durationMs", Math.max(0, endMillis - startMillis));
        j.field("closedBy", closedBy);
        if (connectMillis >= 0) {
            j.field("connectMs", connectMillis);
        }
        if (rule != null) {
            j.field("rule", rule);
        }
        if (error != null) {
            j.field("error", error);
        }
        if (method != null) {
            j.field("method", method);
        }
        if (path != null) {
            j.field("path", path);
        }
        if (status != 0) {
            j.field("status", status);
        }
        if (requests > 0) {
            j.field("requests", requests);
        }
        if (count > 0) {
            j.field("count", count);
        }
        return j.close();
    }
}
