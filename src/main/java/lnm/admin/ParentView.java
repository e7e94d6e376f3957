package lnm.admin;

import java.util.List;

import lnm.config.Config;
import lnm.upstream.ParentStatus;

/**
 * The status page's card of parents: each one's state (up, or down with the last failure),
 * for how long, and the connections that tried it. Nothing at the top level. The egress
 * proxies ({@code egress.proxy}) have the same health and a card and metrics of their own.
 */
final class ParentView {
    private ParentView() {}

    static void card(StringBuilder sb, Config c, List<ParentStatus> parents) {
        if (parents.isEmpty()) {
            return;
        }
        sb.append("<div class=\"card\"><h2>Parents <small>").append(StatusPage.esc(c.parentBalance().toString()))
                .append(" · check ").append(StatusPage.esc(c.parentCheck().toString()))
                .append("</small></h2><table id=\"parents\"><thead><tr><th>parent</th><th>state</th><th>since</th>")
                .append("<th class=\"n\">attempts</th><th class=\"n\">failures</th></tr></thead><tbody>");
        rows(sb, parents);
    }

    /** The egress proxies' card: the same columns as the parents'. */
    static void egressCard(StringBuilder sb, List<ParentStatus> proxies) {
        if (proxies.isEmpty()) {
            return;
        }
        sb.append("<div class=\"card\"><h2>Egress proxies <small>failover · CONNECT name:port</small></h2>")
                .append("<table id=\"egress\"><thead><tr><th>proxy</th><th>state</th><th>since</th>")
                .append("<th class=\"n\">attempts</th><th class=\"n\">failures</th></tr></thead><tbody>");
        rows(sb, proxies);
    }

    private static void rows(StringBuilder sb, List<ParentStatus> parents) {
        for (ParentStatus p : parents) {
            sb.append("<tr data-parent=\"").append(StatusPage.esc(p.parent().toString())).append("\"><td><code>")
                    .append(StatusPage.esc(p.parent().toString())).append("</code></td><td>")
                    .append(p.up() ? "<span class=\"pill ok\">up</span>"
                            : "<span class=\"pill bad\">down</span> <small class=\"badtext\">"
                                    + StatusPage.esc(p.why() == null ? "" : p.why()) + "</small>")
                    .append("</td><td>").append(StatusPage.duration(p.forMillis()))
                    .append("</td><td class=\"n\">").append(StatusPage.count(p.attempts()))
                    .append("</td><td class=\"n\">").append(StatusPage.count(p.failures())).append("</td></tr>");
        }
        sb.append("</tbody></table></div>");
    }

    /** {@code lnm_parent_up}, {@code lnm_parent_attempts_total}, {@code lnm_parent_failures_total}. */
    static void metrics(PromText p, List<ParentStatus> parents) {
        families(p, parents, "lnm_parent", "parent", "the parent",
                "Connections that could not reach the parent (refused, reset or timed out).");
    }

    /**
     * {@code lnm_egress_proxy_up}, {@code lnm_egress_proxy_attempts_total},
     * {@code lnm_egress_proxy_failures_total}: what the parents have, for the egress proxies.
     */
    static void egressMetrics(PromText p, List<ParentStatus> proxies) {
        families(p, proxies, "lnm_egress_proxy", "proxy", "the egress proxy",
                "Connections the egress proxy did not take (TCP connection refused, reset or timed out).");
    }

    /** The up gauge and the attempt and failure counters of a health-checked list of upstreams. */
    private static void families(PromText p, List<ParentStatus> list, String prefix, String label, String what,
            String failuresHelp) {
        if (list.isEmpty()) {
            return;
        }
        p.family(prefix + "_up", "gauge", "1 when " + what + " is up (tried before the ones marked down).");
        for (ParentStatus s : list) {
            p.sample(prefix + "_up", s.up() ? 1 : 0, label, s.parent().toString());
        }
        p.family(prefix + "_attempts_total", "counter", "Connections that tried " + what + ".");
        for (ParentStatus s : list) {
            p.sample(prefix + "_attempts_total", s.attempts(), label, s.parent().toString());
        }
        p.family(prefix + "_failures_total", "counter", failuresHelp);
        for (ParentStatus s : list) {
            p.sample(prefix + "_failures_total", s.failures(), label, s.parent().toString());
        }
    }
}
