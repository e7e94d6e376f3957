package lnm.audit;

import java.net.InetSocketAddress;
import java.util.List;

import lnm.config.HostPort;
import lnm.config.IpLiteral;

/**
 * One connection's audit record, filled in as the connection goes and written once when it ends.
 *
 * <p>Field names are a contract (docs/CONTRACTS.md, "Audit record"): time, listener, level, client,
 * origin, sni or host, alpn, tls, decision, reason, via, upstream, bytesUp, bytesDown,
 * durationMs, closedBy.
 *
 * <p>A record lives as long as its connection, so what can be written from values the connection
 * holds anyway is kept as those values and turned into text only when read: the client, origin
 * and upstream addresses ({@link IpLiteral#format(InetSocketAddress)}), and the reason's
 * qualifier (the rule's pattern or the listener's name) apart from its prefix.
 */
public final class AuditRecord {
    public final long startMillis = System.currentTimeMillis();
    public final String listener;
    public final int level;
    private final InetSocketAddress client;
    private InetSocketAddress origin;
    public String sni;
    public String host;
    public List<String> alpn = List.of();
    public String tls;
    /** The hello carried encrypted_client_hello: its sni is the outer name. */
    public boolean ech;
    public String decision = "deny";
    /** The reason's text, or its prefix when {@link #reasonQualifier} completes it. */
    private String reason;
    private String reasonQualifier;
    public String via;
    /** The address tried or connected to ({@link InetSocketAddress}), else the destination being resolved ({@link HostPort}). */
    private Object upstream;
    public long bytesUp;
    public long bytesDown;
    public String closedBy;
    /** Extensions: the allowlist pattern that matched, and what went wrong, if anything. */
    public String rule;
    public String error;
    /** Time to establish the upstream TCP connection, -1 when none was made. */
    public int connectMillis = -1;
    /** HTTP listeners: the request's method and path (plain HTTP, without the query), the
     * status lnm itself answered (0 when the upstream answered), and requests seen on the connection. */
    public String method;
    public String path;
    public int status;
    public int requests;
    /** Connections this record stands for, when it counts refusals ({@code rate_limited}); 0 for one connection. */
    public int count;

    /** @param client the peer's address as accepted */
    public AuditRecord(String listener, int level, InetSocketAddress client) {
        this.listener = listener;
        this.level = level;
        this.client = client;
    }

    /** {@code client} as the audit writes it ({@code ip:port}, {@code [v6]:port}). */
    public String client() {
        return IpLiteral.format(client);
    }

    public InetSocketAddress clientAddress() {
        return client;
    }

    /** The original client a trusted PROXY header named. */
    public void origin(InetSocketAddress a) {
        origin = a;
    }

    /** {@code origin} as the audit writes it, or null. */
    public String origin() {
        return origin == null ? null : IpLiteral.format(origin);
    }

    /** The original client a trusted PROXY header named, or null. */
    public InetSocketAddress originAddress() {
        return origin;
    }

    /** Resolving {@code destination}: the upstream until an address is tried. */
    public void upstream(HostPort destination) {
        upstream = destination;
    }

    /** Trying or connected to {@code address}. */
    public void upstream(InetSocketAddress address) {
        upstream = address;
    }

    /** {@code upstream} as the audit writes it, or null. */
    public String upstream() {
        return upstream instanceof InetSocketAddress a ? IpLiteral.format(a) : upstream == null ? null : upstream.toString();
    }

    /** Sets {@code reason} to {@code r}'s audit text. */
    public void reason(Reason r) {
        reason(r.text());
    }

    /** Sets {@code reason} to {@code text} as it stands. */
    public void reason(String text) {
        reason = text;
        reasonQualifier = null;
    }

    /**
     * Sets {@code reason} to a prefix reason's text and its qualifier ({@code allowlist:*.example.com}),
     * joined when the record is read.
     */
    public void reason(Reason r, String qualifier) {
        reason = r.text();
        reasonQualifier = qualifier;
    }

    /** The reason's full text ({@code allowlist:*.example.com}), or null while none is set. */
    public String reason() {
        return reasonQualifier == null ? reason : reason + reasonQualifier;
    }

    public boolean hasReason() {
        return reason != null;
    }

    /** The reason's text without its qualifier ({@code allowlist:}), or null. */
    public String reasonPrefix() {
        return reason;
    }

    /** What completes {@link #reasonPrefix} (a rule's pattern, a listener's name), or null. */
    public String reasonQualifier() {
        return reasonQualifier;
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
        j.field("client", client());
        j.field("origin", origin());
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
        j.field("reason", reason());
        j.field("via", via);
        j.field("upstream", upstream());
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
