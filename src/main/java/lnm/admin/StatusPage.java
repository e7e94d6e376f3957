package lnm.admin;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import lnm.config.Config;
import lnm.config.ListenerSpec;
import lnm.config.Rule;
import lnm.floor.ConnectionInfo;

/**
 * The status page at {@code /}: one self-contained HTML document (inline CSS and SVG, no
 * script, no font or image to fetch) that reloads itself every few seconds.
 *
 * <p>It answers an operator's questions in order: is it up and ready, how much is going
 * through, what is being allowed and denied per listener and per rule, which names are agents
 * trying to reach that are not on the list, which devices asked for what (and whose TLS
 * fingerprint changed), and what is connected right now. Everything a
 * client sent (names, addresses) is HTML-escaped.
 */
final class StatusPage {
    static final int REFRESH_SECONDS = 5;
    static final int WINDOW_SECONDS = 600;
    private static final int MAX_LIVE_ROWS = 50;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private StatusPage() {}

    static String render(ApplianceView v, Metrics m, History history, long now) {
        Config c = v.config();
        List<ConnectionInfo> live = new ArrayList<>(v.connections());
        List<History.Sample> samples = history.all();
        StringBuilder sb = new StringBuilder(32_768);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>lnm level ").append(c.level()).append(" status</title><style>").append(CSS)
                .append("</style></head><body>");

        header(sb, v, m, c, now);
        if (!m.lastReloadOk()) {
            sb.append("<div class=\"banner bad\" id=\"reload-failed\"><b>Last reload rejected</b> at ")
                    .append(esc(CLOCK.format(Instant.ofEpochMilli(m.lastReloadMillis()))))
                    .append("; the previous config is still in force.<ul>");
            for (String p : m.lastReloadProblems()) {
                sb.append("<li><code>").append(esc(p)).append("</code></li>");
            }
            sb.append("</ul></div>");
        }
        if (!c.reportListeners().isEmpty()) {
            sb.append("<div class=\"banner bad\" id=\"report-mode\"><b>Report mode</b>: listener(s) ")
                    .append(esc(String.join(", ", c.reportListeners().stream().map(ListenerSpec::name).toList())))
                    .append(" relay names the allowlist does not list (audited as would-deny); this box is not denying by default.</div>");
        }
        tiles(sb, v, m, samples);
        charts(sb, samples, now, window(now - v.startedAt()));
        sb.append("<div class=\"row\">");
        listeners(sb, v, m, c);
        ParentView.card(sb, c, v.parents());
        ParentView.egressCard(sb, v.egressProxies());
        rules(sb, m, c);
        sb.append("</div>");
        denied(sb, m, now);
        wouldDeny(sb, m, c, now);
        DevicesSection.card(sb, m.devices(), now);
        FleetSection.render(sb, v, now);
        connections(sb, live);
        sb.append("<footer>lnm ").append(esc(v.version())).append(" · config ").append(esc(String.valueOf(c.file())))
                .append(" · allowlist ").append(esc(String.valueOf(c.allowlistFile())))
                .append(" · generated ").append(esc(CLOCK.format(Instant.ofEpochMilli(now))))
                .append(" · refreshes every ").append(REFRESH_SECONDS).append(" s · <a href=\"/metrics\">/metrics</a>")
                .append(" · <a href=\"/connections\">/connections</a> · <a href=\"/devices\">/devices</a></footer>");
        return sb.append("</body></html>\n").toString();
    }

    private static void header(StringBuilder sb, ApplianceView v, Metrics m, Config c, long now) {
        boolean ready = v.ready();
        sb.append("<header><div class=\"brand\">lnm <span class=\"lvl\">level ").append(c.level()).append("</span></div>")
                .append("<span class=\"pill ").append(ready ? "ok" : "bad").append("\" id=\"ready\">")
                .append(v.stopping() ? "draining" : ready ? "ready" : "not ready").append("</span>")
                .append("<span class=\"meta\">up ").append(duration(now - v.startedAt())).append("</span>")
                .append("<span class=\"meta\">parent ").append(esc(c.parents().isEmpty() ? "none (top level)"
                        : String.join(", ", c.parents().stream().map(Object::toString).toList())))
                .append("</span>")
                .append("<span class=\"meta\">").append(c.allowlist().size()).append(" allowlist rules</span>")
                .append("<span class=\"meta\" id=\"reloads\">reloads ").append(m.reloadsOk()).append(" ok / ")
                .append(m.reloadsFailed()).append(" failed</span></header>");
    }

    private static void tiles(StringBuilder sb, ApplianceView v, Metrics m, List<History.Sample> s) {
        double upRate = 0;
        double downRate = 0;
        if (s.size() >= 2) {
            History.Sample a = s.get(s.size() - 2);
            History.Sample b = s.get(s.size() - 1);
            double secs = Math.max(0.001, (b.timeMillis() - a.timeMillis()) / 1000.0);
            upRate = (b.bytesUp() - a.bytesUp()) / secs;
            downRate = (b.bytesDown() - a.bytesDown()) / secs;
        }
        sb.append("<section class=\"tiles\">");
        tile(sb, "active", "active now", count(v.activeConnections()), "");
        tile(sb, "allowed", "allowed", count(m.allowed()), "ok");
        tile(sb, "denied", "denied", count(m.denied()), m.denied() > 0 ? "warn" : "");
        tile(sb, "throughput", "throughput now", bytes(upRate) + "/s ↑ " + bytes(downRate) + "/s ↓", "");
        tile(sb, "relayed", "relayed", bytes(m.bytesUp()) + " ↑ " + bytes(m.bytesDown()) + " ↓", "");
        tile(sb, "audit", "audit log", count(v.auditWritten()) + (v.auditDropped() > 0
                ? " <small class=\"badtext\">" + count(v.auditDropped()) + " dropped</small>" : ""),
                v.auditDropped() > 0 ? "bad" : "");
        tile(sb, "dns", "dns", count(m.dnsResolved()) + " ok · " + count(v.dnsCacheHits()) + " cached"
                + (m.dnsFailed() > 0 ? " · " + count(m.dnsFailed()) + " failed" : ""), "");
        sb.append("</section>");
    }

    private static void tile(StringBuilder sb, String id, String label, String valueHtml, String cls) {
        sb.append("<div class=\"tile ").append(cls).append("\"><div class=\"label\">").append(esc(label))
                .append("</div><div class=\"value\" id=\"tile-").append(id).append("\">").append(valueHtml)
                .append("</div></div>");
    }

    /** The chart window: the whole life of a young process, else the last ten minutes. */
    static int window(long uptimeMillis) {
        for (int w : new int[] {60, 120, 300}) {
            if (uptimeMillis <= w * 1000L) {
                return w;
            }
        }
        return WINDOW_SECONDS;
    }

    private static void charts(StringBuilder sb, List<History.Sample> s, long now, int windowSeconds) {
        int n = Math.max(0, s.size() - 1);
        long[] times = new long[n];
        double[] active = new double[n];
        double[] allowed = new double[n];
        double[] denied = new double[n];
        double[] up = new double[n];
        double[] down = new double[n];
        for (int i = 0; i < n; i++) {
            History.Sample a = s.get(i);
            History.Sample b = s.get(i + 1);
            double secs = Math.max(0.001, (b.timeMillis() - a.timeMillis()) / 1000.0);
            times[i] = b.timeMillis();
            active[i] = b.active();
            allowed[i] = (b.allowed() - a.allowed()) / secs;
            denied[i] = (b.denied() - a.denied()) / secs;
            up[i] = (b.bytesUp() - a.bytesUp()) / secs;
            down[i] = (b.bytesDown() - a.bytesDown()) / secs;
        }
        String window = windowSeconds == 60 ? "minute" : windowSeconds / 60 + " minutes";
        sb.append("<section class=\"row\"><div class=\"card\"><h2>Connections <small>last ").append(window)
                .append("</small></h2>");
        legend(sb, List.of(new String[] {"#2563eb", "active", n > 0 ? count(active[n - 1]) : "0"},
                new String[] {"#16a34a", "allowed / s", n > 0 ? rate(allowed[n - 1]) : "0"},
                new String[] {"#dc2626", "denied / s", n > 0 ? rate(denied[n - 1]) : "0"}));
        sb.append(Charts.chart("chart-connections", "Connections over the last " + window, times, now, windowSeconds,
                List.of(new Charts.Series("active", "active connections", "#2563eb", active, true),
                        new Charts.Series("allowed", "allowed per second", "#16a34a", allowed, false),
                        new Charts.Series("denied", "denied per second", "#dc2626", denied, false)),
                4, StatusPage::rate));
        sb.append("</div><div class=\"card\"><h2>Throughput <small>last ").append(window).append("</small></h2>");
        legend(sb, List.of(new String[] {"#7c3aed", "up (to upstream)", n > 0 ? bytes(up[n - 1]) + "/s" : "0 B/s"},
                new String[] {"#0891b2", "down (to clients)", n > 0 ? bytes(down[n - 1]) + "/s" : "0 B/s"}));
        sb.append(Charts.chart("chart-throughput", "Throughput over the last " + window, times, now, windowSeconds,
                List.of(new Charts.Series("up", "bytes per second up", "#7c3aed", up, true),
                        new Charts.Series("down", "bytes per second down", "#0891b2", down, true)),
                1000, d -> bytes(d) + "/s"));
        sb.append("</div></section>");
    }

    private static void legend(StringBuilder sb, List<String[]> items) {
        sb.append("<div class=\"legend\">");
        for (String[] i : items) {
            sb.append("<span><i style=\"background:").append(i[0]).append("\"></i>").append(esc(i[1]))
                    .append(" <b>").append(esc(i[2])).append("</b></span>");
        }
        sb.append("</div>");
    }

    private static void listeners(StringBuilder sb, ApplianceView v, Metrics m, Config c) {
        Map<String, Metrics.ListenerStats> stats = m.listeners();
        sb.append("<div class=\"card\"><h2>Listeners</h2><table id=\"listeners\"><thead><tr><th>name</th><th>mode</th>")
                .append("<th>bound to</th><th class=\"n\">allowed</th><th class=\"n\">denied</th><th class=\"n\">up</th>")
                .append("<th class=\"n\">down</th></tr></thead><tbody>");
        List<String> names = new ArrayList<>();
        for (ListenerSpec l : c.listeners()) {
            names.add(l.name());
        }
        for (String name : stats.keySet()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        for (String name : names) {
            Optional<ListenerSpec> spec = c.listener(name);
            Metrics.ListenerStats s = stats.get(name);
            Optional<java.net.InetSocketAddress> at = spec.isPresent() ? v.listenerAddress(name) : Optional.empty();
            sb.append("<tr data-listener=\"").append(esc(name)).append("\"><td><b>").append(esc(name)).append("</b></td><td>")
                    .append(spec.map(l -> l.mode().toString()).orElse("<i>removed</i>")).append("</td><td>")
                    .append(spec.isEmpty() ? "" : spec.get().nic().isPresent() ? boundToInterface(spec.get().nic().get(), v.listenerAddresses(name))
                            : at.map(a -> "<code>" + esc(lnm.config.IpLiteral.format(a))
                            + "</code>").orElse("<span class=\"badtext\">not bound</span>"))
                    .append("</td><td class=\"n allow\">").append(count(s == null ? 0 : s.allowed.sum()))
                    .append("</td><td class=\"n deny\">").append(count(s == null ? 0 : s.denied.sum()))
                    .append("</td><td class=\"n\">").append(bytes(s == null ? 0 : s.bytesUp()))
                    .append("</td><td class=\"n\">").append(bytes(s == null ? 0 : s.bytesDown())).append("</td></tr>");
        }
        sb.append("</tbody></table></div>");
    }

    /** A listener named by interface: the interface and the addresses it is bound to now. */
    private static String boundToInterface(String nic, List<java.net.InetSocketAddress> at) {
        return "interface <code>" + esc(nic) + "</code>: " + (at.isEmpty() ? "<span class=\"badtext\">no address yet</span>"
                : String.join(", ", at.stream().map(a -> "<code>" + esc(lnm.config.IpLiteral.format(a)) + "</code>").toList()));
    }

    private static void rules(StringBuilder sb, Metrics m, Config c) {
        Map<String, Metrics.RuleStats> stats = m.rules();
        List<Rule> inForce = c.allowlist().rules();
        sb.append("<div class=\"card\"><h2>Allowlist rules</h2><table id=\"rules\"><thead><tr><th>pattern</th>")
                .append("<th>destination</th><th class=\"n\">allowed</th><th class=\"n\">denied</th></tr></thead><tbody>");
        for (String pattern : Metrics.rulePatterns(inForce, stats.keySet())) {
            Metrics.RuleStats s = stats.get(pattern);
            String dest = inForce.stream().filter(r -> r.pattern().equals(pattern)).findFirst()
                    .map(r -> r.destination().text().isEmpty() ? "<i>default (parent, else direct)</i>" : esc(r.destination().text())).orElse("<i>removed by a reload</i>");
            long a = s == null ? 0 : s.allowed.sum();
            long d = s == null ? 0 : s.denied.sum();
            sb.append("<tr data-rule=\"").append(esc(pattern)).append("\"").append(a + d == 0 ? " class=\"idle\"" : "")
                    .append("><td><code>").append(esc(pattern)).append("</code></td><td>").append(dest)
                    .append("</td><td class=\"n allow\">").append(count(a)).append("</td><td class=\"n deny\">")
                    .append(count(d)).append("</td></tr>");
        }
        if (inForce.isEmpty() && stats.isEmpty()) {
            sb.append("<tr><td colspan=\"4\" class=\"none\">the allowlist is empty: everything is denied</td></tr>");
        }
        sb.append("</tbody></table></div>");
    }

    private static void denied(StringBuilder sb, Metrics m, long now) {
        names(sb, m.topDenied(15), now, "denied", "Top denied names <small>what clients try to reach that is not allowed</small>",
                "no names denied yet");
    }

    /**
     * The names report mode relayed that enforcement would have refused: what the allowlist
     * still lacks. Shown while a listener is in report mode or any such name was counted.
     */
    private static void wouldDeny(StringBuilder sb, Metrics m, Config c, long now) {
        List<TopNames.Entry> top = m.topWouldDeny(15);
        if (top.isEmpty() && c.reportListeners().isEmpty()) {
            return;
        }
        String modes = c.reportListeners().isEmpty() ? "no listener is in report mode now"
                : "report mode on " + String.join(", ", c.reportListeners().stream().map(ListenerSpec::name).toList())
                        + ": relayed, not denied; lnm suggest turns them into allowlist lines";
        names(sb, top, now, "wouldDeny", "Top would-deny names <small>" + esc(modes) + "</small>", "no would-deny names yet");
    }

    private static void names(StringBuilder sb, List<TopNames.Entry> top, long now, String id, String title, String none) {
        sb.append("<div class=\"card\"><h2>").append(title).append("</h2>")
                .append("<table id=\"").append(id).append("\"><thead><tr><th>name</th><th class=\"n\">attempts</th><th>bar</th>")
                .append("<th>last reason</th><th>last client</th><th>listener</th><th class=\"n\">last seen</th></tr></thead><tbody>");
        long max = top.isEmpty() ? 1 : Math.max(1, top.get(0).count());
        for (TopNames.Entry e : top) {
            sb.append("<tr data-").append(id.equals("denied") ? "denied" : "would-deny").append("=\"").append(esc(e.name())).append("\"><td><code>").append(esc(e.name()))
                    .append("</code></td><td class=\"n\">").append(e.error() > 0 ? "≤ " : "").append(count(e.count()))
                    .append("</td><td class=\"barcell\"><svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\">")
                    .append("<rect width=\"").append(Math.max(1, 100 * e.count() / max)).append("\" height=\"10\"/></svg></td><td>")
                    .append(esc(e.lastReason())).append("</td><td><code>").append(esc(e.lastClient())).append("</code></td><td>")
                    .append(esc(e.lastListener())).append("</td><td class=\"n\">").append(duration(now - e.lastSeenMillis()))
                    .append(" ago</td></tr>");
        }
        if (top.isEmpty()) {
            sb.append("<tr><td colspan=\"7\" class=\"none\">").append(none).append("</td></tr>");
        }
        sb.append("</tbody></table></div>");
    }

    private static void connections(StringBuilder sb, List<ConnectionInfo> live) {
        live.sort(Comparator.comparingLong(ConnectionInfo::ageMillis).reversed());
        sb.append("<div class=\"card\"><h2>Live connections <small>").append(count(live.size()));
        if (live.size() > MAX_LIVE_ROWS) {
            sb.append(", the ").append(MAX_LIVE_ROWS).append(" oldest shown; all at <a href=\"/connections\">/connections</a>");
        }
        sb.append("</small></h2><table id=\"live\"><thead><tr><th>listener</th><th>client</th><th>origin</th><th>name</th>")
                .append("<th>state</th><th>upstream</th><th class=\"n\">up</th><th class=\"n\">down</th><th class=\"n\">age</th>")
                .append("</tr></thead><tbody>");
        for (ConnectionInfo ci : live.subList(0, Math.min(MAX_LIVE_ROWS, live.size()))) {
            sb.append("<tr><td>").append(esc(ci.listener())).append("</td><td><code>").append(esc(ci.client()))
                    .append("</code></td><td><code>").append(esc(ci.origin())).append("</code></td><td><code>")
                    .append(esc(ci.sni())).append("</code></td><td>").append(esc(ci.state().toLowerCase(Locale.ROOT)))
                    .append("</td><td><code>").append(esc(ci.upstream())).append("</code></td><td class=\"n\">")
                    .append(bytes(ci.bytesUp())).append("</td><td class=\"n\">").append(bytes(ci.bytesDown()))
                    .append("</td><td class=\"n\">").append(duration(ci.ageMillis())).append("</td></tr>");
        }
        if (live.isEmpty()) {
            sb.append("<tr><td colspan=\"9\" class=\"none\">no connections right now</td></tr>");
        }
        sb.append("</tbody></table></div>");
    }

    // ---- formatting ---------------------------------------------------------------------------

    /** HTML-escapes text for element content and quoted attributes; null becomes empty. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch < 0x20 ? '\uFFFD' : ch);
            }
        }
        return b.toString();
    }

    static String count(double n) {
        return String.format(Locale.ROOT, "%,d", Math.round(n));
    }

    static String rate(double n) {
        return n >= 10 || n == Math.rint(n) ? count(n) : String.format(Locale.ROOT, "%.1f", n);
    }

    /** Decimal units, as network throughput is usually read. */
    static String bytes(double b) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        int u = 0;
        while (Math.abs(b) >= 1000 && u < units.length - 1) {
            b /= 1000;
            u++;
        }
        return u == 0 ? Math.round(b) + " B" : String.format(Locale.ROOT, b >= 100 ? "%.0f %s" : "%.1f %s", b, units[u]);
    }

    static String duration(long ms) {
        long s = Math.max(0, ms) / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }

    private static final String CSS = """
            :root{--bg:#f4f6f9;--card:#fff;--ink:#1f2937;--mute:#6b7280;--line:#e5e7eb;--ok:#16a34a;--bad:#dc2626;--warn:#d97706}
            *{box-sizing:border-box}
            body{margin:0;padding:16px 20px;background:var(--bg);color:var(--ink);
             font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
            header{display:flex;align-items:center;gap:14px;flex-wrap:wrap;margin-bottom:14px}
            .brand{font-size:22px;font-weight:700;letter-spacing:.5px}
            .lvl{font-size:14px;font-weight:600;color:#fff;background:#334155;border-radius:6px;padding:2px 8px;margin-left:4px;vertical-align:middle}
            .pill{border-radius:999px;padding:3px 12px;font-weight:600;color:#fff}
            .pill.ok{background:var(--ok)} .pill.bad{background:var(--bad)}
            .meta{color:var(--mute)}
            .banner{border-radius:8px;padding:10px 14px;margin-bottom:14px}
            .banner.bad{background:#fef2f2;border:1px solid #fecaca;color:#7f1d1d}
            .banner ul{margin:6px 0 0 0;padding-left:18px}
            .tiles{display:grid;grid-template-columns:repeat(7,1fr);gap:10px;margin-bottom:14px}
            .tile{background:var(--card);border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.06);border-top:3px solid #94a3b8}
            .tile.ok{border-top-color:var(--ok)} .tile.warn{border-top-color:var(--warn)} .tile.bad{border-top-color:var(--bad)}
            .tile .label{color:var(--mute);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
            .tile .value{font-size:20px;font-weight:650;margin-top:2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
            .row{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin-bottom:14px}
            .card{background:var(--card);border-radius:8px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.06);margin-bottom:14px;min-width:0}
            .row .card{margin-bottom:0}
            h2{font-size:15px;margin:0 0 8px 0} h2 small{color:var(--mute);font-weight:400;margin-left:6px}
            .legend{display:flex;gap:16px;flex-wrap:wrap;color:var(--mute);font-size:12px;margin-bottom:4px}
            .legend i{display:inline-block;width:12px;height:3px;border-radius:2px;vertical-align:middle;margin-right:5px}
            .legend b{color:var(--ink)}
            svg.chart{width:100%;height:auto;display:block}
            svg.chart .grid{stroke:var(--line);stroke-width:1}
            svg.chart .axis{stroke:#9ca3af;stroke-width:1}
            svg.chart text{fill:var(--mute);font-size:11px;font-family:inherit}
            svg.chart .series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
            svg.chart .area{opacity:.12}
            table{width:100%;border-collapse:collapse;font-size:13px}
            th{text-align:left;color:var(--mute);font-weight:600;border-bottom:1px solid var(--line);padding:4px 6px}
            td{border-bottom:1px solid var(--line);padding:4px 6px;max-width:360px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
            .n{text-align:right;font-variant-numeric:tabular-nums}
            td.allow{color:var(--ok);font-weight:600} td.deny{color:var(--bad);font-weight:600}
            tr.changed td:first-child{border-left:3px solid var(--bad)}
            tr.idle td{color:#9ca3af} tr.idle td.allow,tr.idle td.deny{font-weight:400;color:#9ca3af}
            code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
            .none{color:var(--mute);font-style:italic;text-align:center}
            .badtext{color:var(--bad)}
            .barcell{width:22%} svg.bar{width:100%;height:10px;display:block} svg.bar rect{fill:#f87171}
            footer{color:var(--mute);font-size:12px;margin-top:8px}
            a{color:#2563eb}
            @media (max-width:1000px){.tiles{grid-template-columns:repeat(3,1fr)}.row{grid-template-columns:1fr}}
            """;
}
