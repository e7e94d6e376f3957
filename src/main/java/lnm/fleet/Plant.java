package lnm.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import lnm.audit.Json;
import lnm.config.Problem;

/**
 * The top box's view of the plant: every box that has a folder in {@code fleet.dir} or has
 * pulled, what it last reported, which box it pulls through, and the newest generation signed
 * for it; and the pulls refused for want of enrolment ({@link Unenrolled}). Only reports of
 * enrolled boxes whose signature verified are kept. Backs {@code /fleet}, the status page's
 * tree and the {@code lnm_fleet_*} metrics.
 */
public final class Plant {
    /** More boxes than this are not tracked (only enrolled boxes are, and each report is bounded). */
    static final int MAX_BOXES = 4096;

    /** One report as received, with the relays it came through (nearest the box first). */
    private record Seen(Report report, List<String> via, long atMillis) {}

    /**
     * One box as the top sees it.
     *
     * @param parent       the box it pulls through (the top's name for a direct child)
     * @param lastSeenMillis 0 if it never pulled
     * @param folderProblems why its folder cannot be signed, empty if it can (or it has none)
     */
    public record BoxRow(String name, int level, String parent, boolean top, boolean up, long lastSeenMillis,
            long generation, long newest, boolean hasFolder, List<String> folderProblems, Report report) {
        /** Generations behind the newest signed for it (0 when current or unknown). */
        public long lag() {
            return newest > generation ? newest - generation : 0;
        }
    }

    private final String topName;
    private final Path fleetDir;
    private final Signer signer;
    private final Supplier<Report> own;
    private final Unenrolled unenrolled;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    Plant(String topName, Path fleetDir, Signer signer, Supplier<Report> own, Unenrolled unenrolled) {
        this.topName = topName;
        this.fleetDir = fleetDir;
        this.signer = signer;
        this.own = own;
        this.unenrolled = unenrolled;
    }

    Path fleetDir() {
        return fleetDir;
    }

    /** The pulls refused because their box is not enrolled or did not sign them. */
    public Unenrolled unenrolled() {
        return unenrolled;
    }

    Path folder(String box) {
        return fleetDir.resolve(box);
    }

    Signer signer() {
        return signer;
    }

    /** Records the report of an enrolled box's verified pull; false when the plant is full and the box is new. */
    boolean record(Report r, List<String> via, long now) {
        if (seen.size() >= MAX_BOXES && !seen.containsKey(r.name())) {
            return false;
        }
        seen.put(r.name(), new Seen(r, List.copyOf(via), now));
        return true;
    }

    /** The top first, then every other box by name. */
    public List<BoxRow> rows(long now) {
        List<BoxRow> out = new ArrayList<>();
        Report me = own.get();
        out.add(new BoxRow(topName, me.level(), "", true, true, now, 0, 0, false, List.of(), me));
        TreeSet<String> names = new TreeSet<>(seen.keySet());
        List<String> folders;
        try {
            folders = BoxFolder.names(fleetDir);
        } catch (IOException e) {
            folders = List.of();
        }
        names.addAll(folders);
        names.remove(topName);
        for (String n : names) {
            Seen s = seen.get(n);
            boolean hasFolder = folders.contains(n);
            List<String> problems = List.of();
            long newest = signer.newest(n);
            if (hasFolder) {
                Signer.Outcome o = signer.bundle(n, 0);
                List<Problem> all = new ArrayList<>(o.problems());
                all.addAll(Enrolment.problems(folder(n), true));
                problems = all.stream().map(Problem::toString).toList();
                newest = o.bundle() != null ? o.bundle().generation() : newest;
            }
            if (s == null) {
                out.add(new BoxRow(n, -1, topName, false, false, 0, 0, newest, hasFolder, problems, null));
                continue;
            }
            long allowed = Math.max(3 * s.report().intervalMillis(), 10_000);
            String parent = s.via().isEmpty() ? topName : s.via().get(0);
            out.add(new BoxRow(n, s.report().level(), parent, false, now - s.atMillis() <= allowed, s.atMillis(),
                    s.report().generation(), newest, hasFolder, problems, s.report()));
        }
        return out;
    }

    /** {@code /fleet}: the same rows as JSON. */
    public String json(long now) {
        StringBuilder sb = new StringBuilder(1024).append("{\"top\":");
        Json.quote(sb, topName);
        sb.append(",\"boxes\":[");
        List<BoxRow> rows = rows(now);
        for (int i = 0; i < rows.size(); i++) {
            BoxRow b = rows.get(i);
            Report r = b.report();
            Json j = new Json().field("name", b.name()).field("level", b.level()).field("parent", b.parent())
                    .raw("top", String.valueOf(b.top())).raw("up", String.valueOf(b.up()))
                    .field("lastSeenMs", b.lastSeenMillis()).field("generation", b.generation())
                    .field("newestGeneration", b.newest()).field("lag", b.lag()).raw("folder", String.valueOf(b.hasFolder()))
                    .field("folderProblems", b.folderProblems());
            if (r != null) {
                StringBuilder names = new StringBuilder("[");
                for (Report.NameCount nc : r.topDenied()) {
                    names.append(names.length() > 1 ? "," : "")
                            .append(new Json().field("name", nc.name()).field("count", nc.count()).close());
                }
                j.field("health", r.health()).field("version", r.version()).field("uptimeSeconds", r.uptimeSeconds())
                        .field("connections", r.connections()).field("denied", r.denied()).raw("topDenied", names + "]")
                        .field("refusal", r.refusal()).field("refusalGeneration", r.refusalGeneration())
                        .field("pullError", r.pullError());
            }
            sb.append(i > 0 ? "," : "").append(j.close());
        }
        sb.append("],\"unenrolled\":{\"total\":").append(unenrolled.total()).append(",\"recent\":[");
        List<Unenrolled.Entry> tried = unenrolled.entries();
        for (int i = 0; i < tried.size(); i++) {
            Unenrolled.Entry e = tried.get(i);
            sb.append(i > 0 ? "," : "").append(new Json().field("name", e.name()).field("from", e.from())
                    .field("reason", e.reason()).field("count", e.count()).field("lastSeenMs", e.lastMillis()).close());
        }
        return sb.append("]}}\n").toString();
    }

    /** Children of each box name, for drawing the tree. */
    public static Map<String, List<BoxRow>> children(List<BoxRow> rows) {
        Map<String, List<BoxRow>> out = new LinkedHashMap<>();
        for (BoxRow r : rows) {
            if (!r.top()) {
                out.computeIfAbsent(r.parent(), k -> new ArrayList<>()).add(r);
            }
        }
        return out;
    }
}
