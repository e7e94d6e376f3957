package lnm.admin;

import static lnm.admin.StatusPage.count;
import static lnm.admin.StatusPage.duration;
import static lnm.admin.StatusPage.esc;

import java.time.Instant;
import java.util.List;

import lnm.audit.Json;

/**
 * The devices table as {@code /devices} (JSON) and as the status page's "Devices" card.
 * Names and fingerprints come from devices: JSON-quoted and HTML-escaped here, whatever
 * {@link Device} already cleaned.
 */
final class DevicesSection {
    /** Rows on the status page; the rest are at {@code /devices}. */
    static final int MAX_ROWS = 25;
    /** Names shown per row on the status page. */
    static final int NAMES_SHOWN = 3;

    private DevicesSection() {}

    /**
     * {@code {"devices":N,"capacity":C,"evicted":E,"fingerprintChanges":F,"list":[device...]}},
     * the list most recently seen first; see docs/CONTRACTS.md for a device's fields.
     */
    static String json(Devices table) {
        List<Device.View> all = table.all();
        StringBuilder sb = new StringBuilder(128 + all.size() * 400);
        sb.append("{\"devices\":").append(all.size()).append(",\"capacity\":").append(Devices.CAPACITY)
                .append(",\"evicted\":").append(table.evicted()).append(",\"fingerprintChanges\":")
                .append(table.fingerprintChanges()).append(",\"list\":[");
        for (int i = 0; i < all.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(json(all.get(i)));
        }
        return sb.append("]}\n").toString();
    }

    static String json(Device.View d) {
        return new Json(320).field("device", d.address()).field("firstSeen", iso(d.firstSeenMillis()))
                .field("lastSeen", iso(d.lastSeenMillis())).field("allowed", d.allowed()).field("denied", d.denied())
                .field("wouldDeny", d.wouldDeny()).field("fingerprintChanges", d.fingerprintChanges())
                .field("ja4", d.lastFingerprint()).raw("fingerprints", seen("ja4", d.fingerprints()))
                .raw("names", seen("name", d.names())).field("namesDropped", d.namesDropped()).close();
    }

    private static String seen(String key, List<Device.Seen> list) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            Device.Seen s = list.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append(new Json(96).field(key, s.value()).field("count", s.count())
                    .field("lastSeen", iso(s.lastSeenMillis())).close());
        }
        return sb.append(']').toString();
    }

    private static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    /** The card: devices whose fingerprint changed first, then the most recently seen. */
    static void card(StringBuilder sb, Devices table, long now) {
        List<Device.View> top = table.top(MAX_ROWS);
        int size = table.size();
        long changes = table.fingerprintChanges();
        sb.append("<div class=\"card\"><h2>Devices <small>").append(count(size)).append(" seen");
        if (changes > 0) {
            sb.append(" · <span class=\"badtext\" id=\"fingerprint-changes\">").append(count(changes))
                    .append(" TLS fingerprint changes</span>");
        }
        if (size > top.size()) {
            sb.append(" · ").append(top.size()).append(" shown; all at <a href=\"/devices\">/devices</a>");
        }
        sb.append("</small></h2><table id=\"devices\"><thead><tr><th>device</th><th class=\"n\">fingerprint changes</th>")
                .append("<th>JA4</th><th class=\"n\">allowed</th><th class=\"n\">denied</th><th class=\"n\">would deny</th>")
                .append("<th>names asked for</th><th class=\"n\">first seen</th><th class=\"n\">last seen</th></tr></thead><tbody>");
        for (Device.View d : top) {
            boolean changed = d.fingerprintChanges() > 0;
            sb.append("<tr data-device=\"").append(esc(d.address())).append("\"").append(changed ? " class=\"changed\"" : "")
                    .append("><td><code>").append(esc(d.address())).append("</code></td><td class=\"n")
                    .append(changed ? " deny" : "").append("\">").append(changed ? "⚠ " : "")
                    .append(count(d.fingerprintChanges())).append("</td><td><code>").append(esc(d.lastFingerprint()))
                    .append("</code>");
            if (d.fingerprints().size() > 1) {
                sb.append(" <small>+").append(d.fingerprints().size() - 1).append(" other</small>");
            }
            sb.append("</td><td class=\"n allow\">").append(count(d.allowed())).append("</td><td class=\"n deny\">")
                    .append(count(d.denied())).append("</td><td class=\"n\">").append(count(d.wouldDeny()))
                    .append("</td><td>");
            List<Device.Seen> names = d.names();
            for (int i = 0; i < Math.min(NAMES_SHOWN, names.size()); i++) {
                sb.append(i > 0 ? ", " : "").append("<code>").append(esc(names.get(i).value())).append("</code> ")
                        .append(count(names.get(i).count()));
            }
            long more = names.size() - Math.min(NAMES_SHOWN, names.size()) + d.namesDropped();
            if (more > 0) {
                sb.append(" <small>+").append(count(more)).append(" more</small>");
            }
            sb.append("</td><td class=\"n\">").append(duration(now - d.firstSeenMillis())).append(" ago</td><td class=\"n\">")
                    .append(duration(now - d.lastSeenMillis())).append(" ago</td></tr>");
        }
        if (top.isEmpty()) {
            sb.append("<tr><td colspan=\"9\" class=\"none\">no connections finished yet</td></tr>");
        }
        sb.append("</tbody></table></div>");
    }
}
