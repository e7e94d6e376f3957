package lnm.fleet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import lnm.config.BoxName;
import lnm.config.PropertiesReader;

/**
 * What a box says about itself with every pull, in properties syntax (the top reads it with
 * the config reader; reports come from below, so every field is bounded and checked).
 *
 * @param generation    the bundle generation in force, 0 for none
 * @param health        ready, not ready or draining
 * @param connections   connections handled since start (allowed and denied)
 * @param refusal       why the last bundle was refused, empty if none was
 * @param pullError     why the last pull failed, empty if it worked
 * @param intervalMillis how often the box pulls (the top counts a box down after three missed)
 */
public record Report(String name, int level, String version, long generation, String health, long uptimeSeconds,
        long connections, long denied, List<NameCount> topDenied, String refusal, long refusalGeneration,
        String pullError, long intervalMillis) {
    static final int MAX_BYTES = 64 * 1024;
    /** The longest refusal or pull error kept; the other text fields are shorter still. */
    static final int MAX_TEXT = 1000;
    static final int MAX_NAMES = 10;
    private static final int MAX_VERSION = 64;
    private static final int MAX_HEALTH = 32;
    /** A DNS name's longest form. */
    private static final int MAX_DENIED_NAME = 253;

    /** A denied name and how often. */
    public record NameCount(String name, long count) {}

    String encode() {
        StringBuilder sb = new StringBuilder(512);
        put(sb, "name", name);
        put(sb, "level", String.valueOf(level));
        put(sb, "version", version);
        put(sb, "generation", String.valueOf(generation));
        put(sb, "health", health);
        put(sb, "uptimeSeconds", String.valueOf(uptimeSeconds));
        put(sb, "connections", String.valueOf(connections));
        put(sb, "denied", String.valueOf(denied));
        for (int i = 0; i < Math.min(MAX_NAMES, topDenied.size()); i++) {
            put(sb, "deniedName." + i, topDenied.get(i).name());
            put(sb, "deniedCount." + i, String.valueOf(topDenied.get(i).count()));
        }
        put(sb, "refusal", refusal);
        put(sb, "refusalGeneration", String.valueOf(refusalGeneration));
        put(sb, "pullError", pullError);
        put(sb, "intervalMillis", String.valueOf(intervalMillis));
        return sb.toString();
    }

    /**
     * Parses a report; throws {@link IllegalArgumentException} if it has no valid box name. Every
     * text field is cut to its bound, so a kept report stays a few kilobytes whatever was sent.
     */
    static Report parse(String text) {
        Map<String, String> m = new HashMap<>();
        for (PropertiesReader.Entry e : PropertiesReader.parse(Path.of("report"), text).entries()) {
            m.putIfAbsent(e.key(), e.value().trim());
        }
        String name = m.getOrDefault("name", "");
        if (!BoxName.valid(name)) {
            throw new IllegalArgumentException("report without a valid box name");
        }
        List<NameCount> top = new ArrayList<>();
        for (int i = 0; i < MAX_NAMES && m.containsKey("deniedName." + i); i++) {
            top.add(new NameCount(text(m, "deniedName." + i, MAX_DENIED_NAME), number(m, "deniedCount." + i)));
        }
        long level = number(m, "level");
        return new Report(name, (int) Math.min(level, 9), text(m, "version", MAX_VERSION), number(m, "generation"),
                text(m, "health", MAX_HEALTH),
                number(m, "uptimeSeconds"), number(m, "connections"), number(m, "denied"), List.copyOf(top),
                text(m, "refusal", MAX_TEXT), number(m, "refusalGeneration"), text(m, "pullError", MAX_TEXT),
                number(m, "intervalMillis"));
    }

    private static String text(Map<String, String> m, String k, int max) {
        String v = m.getOrDefault(k, "");
        return v.length() > max ? v.substring(0, max) + "..." : v;
    }

    private static long number(Map<String, String> m, String k) {
        try {
            return Math.max(0, Long.parseLong(m.getOrDefault(k, "0")));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void put(StringBuilder sb, String key, String value) {
        sb.append(key).append(" = ");
        String v = value == null ? "" : value;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (i == 0 && c == ' ')) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('\n');
    }
}
