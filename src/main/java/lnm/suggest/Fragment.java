package lnm.suggest;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import lnm.config.Names;
import lnm.config.Warnings;

/**
 * Turns the names asked for into allowlist lines, each under a comment that says who asked,
 * how often and when.
 *
 * <p>A wildcard {@code *.parent} replaces the names below a parent when at least
 * {@link Limits#minSiblings} distinct names directly below it were asked for, unless
 * {@code lnm check} would warn about it (a public suffix, a cloud tenant namespace or above
 * one: {@link Warnings#wildcardRisk}); then every name stays on its own line. Wildcards never
 * nest: one below a chosen wildcard is not proposed, its names go to the outer one.
 */
final class Fragment {
    /** One allowlist line: its pattern, the names it stands for (sorted), and what was seen for them. */
    record Entry(String pattern, List<String> names, Seen seen) {
        boolean wildcard() {
            return pattern.startsWith("*.");
        }
    }

    private Fragment() {}

    /**
     * The lines for these (normalized, valid) names, sorted by label from the right so that one
     * domain's names stand together ({@code example.com}, {@code *.example.com}, {@code a.example.com}).
     */
    static List<Entry> build(TreeMap<String, Seen> names, Limits limits) {
        Set<String> chosen = wildcards(names.keySet(), limits.minSiblings());
        Map<String, Entry> wild = new HashMap<>();
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Seen> e : names.entrySet()) {
            String parent = coveredBy(chosen, e.getKey());
            if (parent == null) {
                out.add(new Entry(e.getKey(), List.of(e.getKey()), e.getValue()));
                continue;
            }
            Entry w = wild.computeIfAbsent(parent, p -> {
                Entry n = new Entry("*." + p, new ArrayList<>(), new Seen());
                out.add(n);
                return n;
            });
            w.names().add(e.getKey());
            w.seen().merge(e.getValue(), limits.tracked());
        }
        out.sort(Comparator.comparing((Entry x) -> domainOrder(x.pattern())).thenComparing(Entry::wildcard));
        return out;
    }

    /** The parents that become wildcards: enough siblings, no warning, not below another chosen one. */
    private static Set<String> wildcards(Set<String> names, int minSiblings) {
        Map<String, Integer> siblings = new HashMap<>();
        for (String n : names) {
            int dot = n.indexOf('.');
            if (dot > 0) {
                siblings.merge(n.substring(dot + 1), 1, Integer::sum);
            }
        }
        List<String> candidates = new ArrayList<>();
        siblings.forEach((parent, count) -> {
            if (count >= minSiblings && safeWildcard(parent)) {
                candidates.add(parent);
            }
        });
        candidates.sort(Comparator.comparingInt((String p) -> p.split("\\.").length).thenComparing(p -> p));
        Set<String> chosen = new HashSet<>();
        for (String p : candidates) {
            if (coveredBy(chosen, p) == null) {
                chosen.add(p);
            }
        }
        return chosen;
    }

    /** Whether {@code *.parent} is a valid pattern that {@code lnm check} does not warn about. */
    static boolean safeWildcard(String parent) {
        String pattern = "*." + parent;
        try {
            Names.pattern(pattern);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return Warnings.wildcardRisk(pattern) == null;
    }

    /** The chosen parent that {@code name} is below, or null. */
    private static String coveredBy(Set<String> chosen, String name) {
        String found = null;
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            String suffix = name.substring(dot + 1);
            if (chosen.contains(suffix)) {
                found = suffix; // keep going: the shortest (outermost) one wins
            }
        }
        return found;
    }

    /** {@code a.example.com} as {@code com.example.a}, so names of one domain sort together. */
    private static String domainOrder(String pattern) {
        String[] labels = (pattern.startsWith("*.") ? pattern.substring(2) : pattern).split("\\.");
        StringBuilder b = new StringBuilder();
        for (int i = labels.length - 1; i >= 0; i--) {
            b.append(labels[i]).append(i == 0 ? "" : "\u0001");
        }
        return b.toString();
    }

    /** Writes the entries as allowlist.properties lines, each with its comment. */
    static void write(PrintStream out, List<Entry> entries, int listed) {
        for (Entry e : entries) {
            out.println();
            if (e.wildcard()) {
                List<String> n = e.names();
                String shown = String.join(", ", n.subList(0, Math.min(listed, n.size())))
                        + (n.size() > listed ? " and " + (n.size() - listed) + " more" : "");
                out.println(comment(n.size() + " names asked for below " + e.pattern().substring(2) + " (" + shown + ")"));
            }
            out.println(comment(e.seen().describe(listed)));
            out.println(e.pattern() + " =");
        }
    }

    /**
     * {@code # text} on one line whatever the text holds: anything outside printable ASCII, and
     * the backslash, is written as {@code \}{@code uXXXX}, so no character can end the comment or
     * start a line of its own.
     */
    static String comment(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2).append("# ");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
