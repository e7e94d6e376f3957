package lnm.audit;

import java.net.InetSocketAddress;
import java.util.List;

import lnm.config.HostPort;
import lnm.config.IpLiteral;

/**
 * One connection's audit record, filled in as the connection goes and written once when it ends.
 *
 * <p>Field names are a contract (docs/CONTRACTS.md, "Audit record"): time, listener, level, client,
 * origin, sni or host, alpn, tls, ja4, decision, reason, wouldDeny (report mode only), via, upstream, bytesUp, bytesDown,
 * durationMs, closedBy.
 *
 * <p>A record lives as long as its connection, so what can be written from values the connection
 * holds anyway is kept as those values and turned into text only when read: the client, origin
 * and upstream addresses ({@link IpLiteral#format(InetSocketAddress)}), and the reason's
 * qualifier (the rule's pattern or the listener's name) apart from its prefix.
 *
 * <p>The connection that owns the record fills it in through its setters, on its one loop
 * thread; once it is handed to the writer and the metrics ({@code Services.finished}) it is only
 * read. Nothing else writes it.
 */
public final class AuditRecord {
    private final long startMillis = System.currentTimeMillis();
    private final String listener;
    private final int level;
    private final InetSocketAddress client;
    private InetSocketAddress origin;
    private String sni;
    private String host;
    private List<String> alpn = List.of();
    private String tls;
    /** The hello carried encrypted_client_hello: its sni is the outer name. */
    private boolean ech;
    private String ja4;
    private Verdict decision = Verdict.DENY;
    /** The reason's text, or its prefix when {@link #reasonQualifier} completes it. */
    private String reason;
    private String reasonQualifier;
    private String wouldDeny;
    private String via;
    /** The egress proxy ({@code host:port} as configured) a direct destination went through, or null. */
    private String egress;
    /** The address tried or connected to ({@link InetSocketAddress}), else the destination being resolved ({@link HostPort}). */
    private Object upstream;
    private long bytesUp;
    private long bytesDown;
    private Side closedBy;
    /** Extensions: the allowlist pattern that matched, and what went wrong, if anything. */
    private String rule;
    private String error;
    /** Time to establish the upstream TCP connection, -1 when none was made. */
    private int connectMillis = -1;
    /** HTTP listeners: the request's method and path (plain HTTP, without the query), the
     * status lnm itself answered (0 when the upstream answered), and requests seen on the connection. */
    private String method;
    private String path;
    private int status;
    private int requests;
    /** Connections this record stands for, when it counts refusals ({@code rate_limited}); 0 for one connection. */
    private int count;

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

    /** What enforcement would have answered (report mode), or null. */
    public String wouldDeny() {
        return wouldDeny;
    }

    /** Sets {@link #wouldDeny()}. */
    public void wouldDeny(String reason) {
        this.wouldDeny = reason;
    }

    /** The reason's text without its qualifier ({@code allowlist:}), or null. */
    public String reasonPrefix() {
        return reason;
    }

    /** What completes {@link #reasonPrefix} (a rule's pattern, a listener's name), or null. */
    public String reasonQualifier() {
        return reasonQualifier;
    }

    // ---- written by the connection that owns the record -------------------------------------

    /** What a TLS hello said: its server name, offered protocols, version, and whether it was ECH. */
    public void hello(String sni, List<String> alpn, String tls, boolean ech) {
        this.sni = sni;
        this.alpn = alpn;
        this.tls = tls;
        this.ech = ech;
    }

    /** What an HTTP request head said: its host, method and path (null for a CONNECT); one more request. */
    public void request(String host, String method, String path) {
        this.host = host;
        this.method = method;
        this.path = path;
        requests++;
    }

    /** One more request on the connection, seen during the relay. */
    public void anotherRequest() {
        requests++;
    }

    /** The allowlist pattern that matched, or null. */
    public void rule(String pattern) {
        rule = pattern;
    }

    public void decision(Verdict v) {
        decision = v;
    }

    /** How the upstream is reached, as the audit writes it ({@code direct}, {@code parent}, ...). */
    public void via(String text) {
        via = text;
    }

    /** The client's bytes relayed upstream and the upstream's relayed to the client. */
    public void bytes(long up, long down) {
        bytesUp = up;
        bytesDown = down;
    }

    /** Sets {@code closedBy}, whatever was set before. */
    public void closedBy(Side s) {
        closedBy = s;
    }

    public void error(String what) {
        error = what;
    }

    public void connectMillis(int millis) {
        connectMillis = millis;
    }

    /** The HTTP status lnm itself answered with. */
    public void status(int code) {
        status = code;
    }

    /** This record stands for one refused connection and will count those like it ({@code count} 1). */
    public void countFirst() {
        count = 1;
    }

    /** One more refused connection counted into this record. */
    public void countAnother() {
        count++;
    }

    // ---- read by everyone else ----------------------------------------------------------------

    public long startMillis() {
        return startMillis;
    }

    public String listener() {
        return listener;
    }

    public int level() {
        return level;
    }

    public String sni() {
        return sni;
    }

    public String host() {
        return host;
    }

    public List<String> alpn() {
        return alpn;
    }

    public String tls() {
        return tls;
    }

    public boolean ech() {
        return ech;
    }

    /** The JA4 fingerprint of the ClientHello (FoxIO), or null when none was read. */
    public String ja4() {
        return ja4;
    }

    /** Sets {@link #ja4()}. */
    public void ja4(String fingerprint) {
        this.ja4 = fingerprint;
    }

    public Verdict decision() {
        return decision;
    }

    public String via() {
        return via;
    }

    /** The egress proxy the connection went (or tried to go) through, as configured; null when none. */
    public String egress() {
        return egress;
    }

    /** Sets the egress proxy ({@code host:port}) the tunnel is asked of. */
    public void egress(String proxy) {
        egress = proxy;
    }

    public long bytesUp() {
        return bytesUp;
    }

    public long bytesDown() {
        return bytesDown;
    }

    /** Who ended the connection first, or null while nobody has. */
    public Side closedBy() {
        return closedBy;
    }

    public String rule() {
        return rule;
    }

    public String error() {
        return error;
    }

    /** Milliseconds to connect upstream, -1 when no connection was made. */
    public int connectMillis() {
        return connectMillis;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The HTTP status lnm answered with, 0 when it answered none. */
    public int status() {
        return status;
    }

    public int requests() {
        return requests;
    }

    /** Connections this record stands for when it counts refusals; 0 for a record of one connection. */
    public int count() {
        return count;
    }

    /** Sets {@code closedBy} unless it is set already: the first side to end the stream is the one named. */
    public void closedByFirst(Side s) {
        if (closedBy == null) {
            closedBy = s;
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
        if (ja4 != null) {
            j.field("ja4", ja4); // absent when no ClientHello was read
        }
        if (ech) {
            j.field("ech", true);
        }
        j.field("decision", decision.text());
        j.field("reason", reason());
        if (wouldDeny != null) {
            j.field("wouldDeny", wouldDeny);
        }
        j.field("via", via);
        j.field("upstream", upstream());
        if (egress != null) {
            j.field("egress", egress); // through the egress proxy: upstream is the proxy's address
        }
        j.field("bytesUp", bytesUp);
        j.field("bytesDown", bytesDown);
        j.field("durationMs", Math.max(0, endMillis - startMillis));
        j.field("closedBy", closedBy == null ? null : closedBy.text());
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
