package lnm.side;

import java.util.Locale;

import lnm.config.IpLiteral;
import lnm.http.RequestHead;

/**
 * What a parsed request head must be before a side port reads its body or runs a handler:
 * origin-form, a body framed by {@code Content-Length}, and a {@code Host} that no rebound DNS
 * name can produce.
 */
final class SideHead {
    private SideHead() {}

    /** The answer that refuses {@code head}, or null when it may go on. */
    static SideResponse refusal(RequestHead head, SideRules rules) {
        if (head.form() != RequestHead.Form.ORIGIN) {
            return SideResponse.text(400, "only origin-form requests (GET /path) are served here");
        }
        if (head.chunked()) {
            return SideResponse.text(411, "send the body with Content-Length");
        }
        if (!hostAllowed(head.host(), rules)) {
            return SideResponse.text(403, "Host '" + head.host()
                    + "' is not served here: use an IP address, localhost or a name in admin.hosts");
        }
        return null;
    }

    /** Host names a browser could be pointed at by DNS rebinding are refused unless listed. */
    static boolean hostAllowed(String host, SideRules r) {
        if (r.hosts() == null || host == null || host.isEmpty()) {
            return true; // no list, or HTTP/1.0 without Host: nothing a browser sends
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || IpLiteral.isLiteral(h) || r.hosts().contains(h);
    }
}
