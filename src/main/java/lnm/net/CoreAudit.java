package lnm.net;

import java.nio.ByteBuffer;
import java.util.List;

import lnm.audit.AuditRecord;
import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.audit.Verdict;
import lnm.config.Decision;
import lnm.http.RequestHead;

/**
 * How the connection core writes what its front returned into the audit record. Only
 * {@link Connection} calls this: fronts return values, the core audits them.
 */
final class CoreAudit {
    private CoreAudit() {}

    /** What the front learned: the hello's SNI, ALPN, version and JA4 fingerprint; a request's host, method and path; the rule. */
    static void seen(AuditRecord rec, Front.Seen seen) {
        Decision d = seen.decision();
        String rule = d == null || d.rule() == null ? null : d.rule().pattern();
        if (seen.hello() != null) {
            // an SNI that is its rule's name is held as the rule's string, not a copy of its own
            String sni = seen.hello().sni();
            rec.hello(sni != null && sni.equals(rule) ? rule : sni, common(seen.hello().alpn()), seen.hello().tlsVersion(),
                    seen.hello().ech());
            rec.ja4(seen.hello().ja4());
        }
        RequestHead h = seen.request();
        if (h != null) {
            rec.request(h.host(), h.method(), h.isConnect() ? null : clip(h.pathWithoutQuery()));
        }
        if (d != null) {
            rec.rule(rule);
        }
    }

    /** An allow in report mode: what enforcement would have answered ({@code not_allowlisted}). */
    static void wouldDeny(AuditRecord rec, Decision d) {
        if (d != null && d.wouldDeny() != null) {
            rec.wouldDeny(Reason.of(d.wouldDeny()).text());
        }
    }

    /**
     * The ALPN lists most clients offer, kept once: a record holds one of these rather than its
     * own copy of the same names for as long as its connection lives.
     */
    private static final List<String> H2_HTTP11 = List.of("h2", "http/1.1");
    private static final List<String> HTTP11 = List.of("http/1.1");
    private static final List<String> H2 = List.of("h2");

    /** {@code offered}, or the shared list equal to it. */
    static List<String> common(List<String> offered) {
        return switch (offered.size()) {
            case 1 -> HTTP11.equals(offered) ? HTTP11 : H2.equals(offered) ? H2 : offered;
            case 2 -> H2_HTTP11.equals(offered) ? H2_HTTP11 : offered;
            default -> offered;
        };
    }

    /** A relayed stream stopped by its front (a later request refused): a deny by lnm. */
    static void stopped(AuditRecord rec, Front.Stop stop) {
        seen(rec, stop.seen());
        rec.decision(Verdict.DENY);
        rec.reason(stop.reason());
        rec.closedBy(Side.LNM);
        rec.status(stop.status());
    }

    /** What is left of {@code owed} followed by {@code more} (either may be null), as one buffer. */
    static ByteBuffer join(ByteBuffer owed, byte[] more) {
        int rest = owed == null ? 0 : owed.remaining();
        ByteBuffer b = ByteBuffer.allocate(rest + (more == null ? 0 : more.length));
        if (owed != null) {
            b.put(owed.duplicate());
        }
        if (more != null) {
            b.put(more);
        }
        return b.flip();
    }

    private static String clip(String s) {
        return s == null || s.length() <= 512 ? s : s.substring(0, 512) + "...";
    }
}
