package lnm.admin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import lnm.fleet.Fleet;
import lnm.fleet.Plant;
import lnm.fleet.Report;
import lnm.fleet.Unenrolled;

/**
 * The fleet on the admin endpoint: on the top box the plant as a tree on the status page
 * (every box under the box it pulls through: level, health, last seen, generation in force
 * against the newest, denied names, refusals) and the pulls tried without enrolment,
 * {@code /fleet} as JSON and the {@code lnm_fleet_*} metrics; on a box that pulls, its own
 * bundle state.
 */
final class FleetSection {
    private FleetSection() {}

    static String json(ApplianceView v, long now) {
        return plant(v).map(p -> p.json(now)).orElse("{\"top\":null,\"boxes\":[]}\n");
    }

    private static Optional<Plant> plant(ApplianceView v) {
        return v.fleet().flatMap(Fleet::plant);
    }

    static void metrics(PromText p, ApplianceView v, long now) {
        Optional<Plant> plant = plant(v);
        if (plant.isPresent()) {
            List<Plant.BoxRow> rows = plant.get().rows(now);
            p.family("lnm_fleet_box_up", "gauge", "1 when the box pulled within three of its intervals (the top box itself is always 1).");
            for (Plant.BoxRow b : rows) {
                p.sample("lnm_fleet_box_up", b.up() ? 1 : 0, "box", b.name(), "level", b.level() < 0 ? "" : String.valueOf(b.level()));
            }
            p.family("lnm_fleet_generation_lag", "gauge", "Bundle generations a box is behind the newest signed for it.");
            for (Plant.BoxRow b : rows) {
                if (!b.top()) {
                    p.sample("lnm_fleet_generation_lag", b.lag(), "box", b.name());
                }
            }
            p.family("lnm_fleet_unenrolled_total", "counter",
                    "Pulls refused because the box is not enrolled (no folder or box.pub) or its signature does not verify.");
            p.sample("lnm_fleet_unenrolled_total", plant.get().unenrolled().total());
        }
        Optional<Fleet.PullState> own = v.fleet().flatMap(Fleet::pullState);
        if (own.isPresent()) {
            p.family("lnm_fleet_generation", "gauge", "The bundle generation in force on this box (0: none yet).");
            p.sample("lnm_fleet_generation", own.get().generation());
            p.family("lnm_fleet_refusing", "gauge", "1 when the last bundle this box pulled was refused.");
            p.sample("lnm_fleet_refusing", own.get().refusal().isEmpty() ? 0 : 1);
        }
    }

    static void render(StringBuilder sb, ApplianceView v, long now) {
        Optional<Fleet.PullState> own = v.fleet().flatMap(Fleet::pullState);
        if (own.isPresent()) {
            Fleet.PullState s = own.get();
            sb.append("<section class=\"card\" id=\"fleet-box\"><h2>Fleet <small>bundle generation ").append(s.generation())
                    .append(" in force</small></h2>");
            if (!s.refusal().isEmpty()) {
                sb.append("<p class=\"badtext\" id=\"fleet-refusal\">last bundle refused: ").append(StatusPage.esc(s.refusal())).append("</p>");
            }
            if (!s.pullError().isEmpty()) {
                sb.append("<p class=\"badtext\" id=\"fleet-pull-error\">last pull failed: ").append(StatusPage.esc(s.pullError())).append("</p>");
            }
            sb.append("</section>");
        }
        Optional<Plant> plant = plant(v);
        if (plant.isEmpty()) {
            return;
        }
        List<Plant.BoxRow> rows = plant.get().rows(now);
        Map<String, List<Plant.BoxRow>> children = Plant.children(rows);
        sb.append("<section class=\"card\" id=\"fleet\"><h2>Plant <small>").append(rows.size())
                .append(" boxes · <a href=\"/fleet\">/fleet</a></small></h2><table><tr><th>box</th><th>level</th><th>health</th>")
                .append("<th>last seen</th><th class=\"n\">generation</th><th class=\"n\">connections</th><th class=\"n\">denied</th>")
                .append("<th>most denied</th><th>problems</th></tr>");
        Set<String> drawn = new HashSet<>();
        List<Plant.BoxRow> order = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        walk(rows.get(0), 0, children, drawn, order, depth);
        for (Plant.BoxRow b : rows) { // boxes whose relay path does not lead to the top
            if (!drawn.contains(b.name())) {
                walk(b, 1, Map.of(), drawn, order, depth);
            }
        }
        for (int i = 0; i < order.size(); i++) {
            row(sb, order.get(i), depth.get(i), now);
        }
        sb.append("</table></section>");
        unenrolled(sb, plant.get().unenrolled(), now);
    }

    /** The pulls refused for want of enrolment, if there were any. */
    private static void unenrolled(StringBuilder sb, Unenrolled u, long now) {
        long total = u.total();
        if (total == 0) {
            return;
        }
        sb.append("<section class=\"card\" id=\"fleet-unenrolled\"><h2>Tried without enrolment <small>")
                .append(StatusPage.count(total)).append(" pulls refused, the latest ").append(Unenrolled.MAX)
                .append(" kinds kept</small></h2><table><tr><th>name sent</th><th>from</th><th class=\"n\">count</th>")
                .append("<th>last</th><th>why</th></tr>");
        for (Unenrolled.Entry e : u.entries()) {
            sb.append("<tr><td><code>").append(StatusPage.esc(e.name())).append("</code></td><td>").append(StatusPage.esc(e.from()))
                    .append("</td><td class=\"n\">").append(StatusPage.count(e.count())).append("</td><td>")
                    .append(StatusPage.duration(Math.max(0, now - e.lastMillis()))).append(" ago</td><td class=\"badtext\">")
                    .append(StatusPage.esc(e.reason())).append("</td></tr>");
        }
        sb.append("</table></section>");
    }

    private static void walk(Plant.BoxRow b, int d, Map<String, List<Plant.BoxRow>> children, Set<String> drawn,
            List<Plant.BoxRow> order, List<Integer> depth) {
        if (!drawn.add(b.name()) || d > 32) {
            return;
        }
        order.add(b);
        depth.add(d);
        for (Plant.BoxRow c : children.getOrDefault(b.name(), List.of())) {
            walk(c, d + 1, children, drawn, order, depth);
        }
    }

    private static void row(StringBuilder sb, Plant.BoxRow b, int depth, long now) {
        Report r = b.report();
        String health = r == null ? "never seen" : !b.up() ? "down" : r.health();
        boolean good = b.up() && r != null && r.health().equals("ready");
        sb.append("<tr data-box=\"").append(StatusPage.esc(b.name())).append("\"><td style=\"padding-left:")
                .append(6 + depth * 22).append("px\">").append(depth > 0 ? "└ " : "").append("<b>")
                .append(StatusPage.esc(b.name())).append("</b></td><td>").append(b.level() < 0 ? "" : "L" + b.level())
                .append("</td><td class=\"").append(good ? "allow" : "deny").append("\">").append(StatusPage.esc(health))
                .append("</td><td>").append(b.lastSeenMillis() == 0 ? "" : b.top() ? "this box" : StatusPage.duration(now - b.lastSeenMillis()) + " ago")
                .append("</td><td class=\"n\">");
        if (!b.top()) {
            sb.append(b.generation()).append(" / ").append(b.newest());
            if (b.lag() > 0) {
                sb.append(" <small class=\"badtext\">").append(b.lag()).append(" behind</small>");
            }
        }
        sb.append("</td><td class=\"n\">").append(r == null ? "" : StatusPage.count(r.connections()))
                .append("</td><td class=\"n\">").append(r == null ? "" : StatusPage.count(r.denied())).append("</td><td>");
        if (r != null) {
            List<String> names = r.topDenied().stream().limit(3).map(nc -> StatusPage.esc(nc.name()) + " (" + nc.count() + ")").toList();
            sb.append("<code>").append(String.join(", ", names)).append("</code>");
        }
        sb.append("</td><td class=\"badtext\">");
        List<String> problems = new ArrayList<>(b.folderProblems());
        if (r != null && !r.refusal().isEmpty()) {
            problems.add("refused generation " + r.refusalGeneration() + ": " + r.refusal());
        }
        if (r != null && !r.pullError().isEmpty()) {
            problems.add(r.pullError());
        }
        if (!b.hasFolder() && !b.top()) {
            problems.add("no folder in fleet.dir");
        }
        sb.append(StatusPage.esc(String.join(" · ", problems))).append("</td></tr>");
    }
}
