package lnm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code allowlist.properties} into an {@link Allowlist}, collecting every problem. */
public final class AllowlistReader {
    private AllowlistReader() {}

    /** The allowlist (null if there were problems) and the problems. */
    public record Loaded(Allowlist allowlist, List<Problem> problems) {}

    /**
     * @param parentConfigured whether lnm.properties sets a parent; {@code parent} entries are
     *     errors without one, because they could never connect
     */
    public static Loaded read(Path file, boolean parentConfigured) {
        return parse(PropertiesReader.read(file), file, parentConfigured);
    }

    /** The same, over entries already read (an allowlist that came in a fleet bundle). */
    static Loaded parse(PropertiesReader.Result read, Path file, boolean parentConfigured) {
        List<Problem> problems = new ArrayList<>(read.problems());
        List<Rule> rules = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        for (PropertiesReader.Entry e : read.entries()) {
            String pattern;
            try {
                pattern = Names.pattern(e.key());
            } catch (IllegalArgumentException ex) {
                problems.add(new Problem(file, e.line(), "bad pattern: " + ex.getMessage()));
                continue;
            }
            Integer first = firstLine.putIfAbsent(pattern, e.line());
            if (first != null) {
                problems.add(new Problem(file, e.line(), "duplicate pattern '" + pattern + "' (lines " + first + " and " + e.line() + ")"));
                continue;
            }
            Destination d;
            try {
                d = Destination.parse(e.value());
            } catch (IllegalArgumentException ex) {
                problems.add(new Problem(file, e.line(), "bad destination '" + e.value().trim() + "' for '" + pattern + "': "
                        + ex.getMessage() + "; expected direct, parent, host[:port] or nothing (parent if set, else direct)"));
                continue;
            }
            if (d instanceof Destination.Parent && !parentConfigured) {
                problems.add(new Problem(file, e.line(), "'" + pattern + "' goes to parent, but no parent is set in lnm.properties;"
                        + " set 'parent = host[:port]' or use direct"));
                continue;
            }
            rules.add(new Rule(pattern, d, file, e.line()));
        }
        return new Loaded(problems.isEmpty() ? Allowlist.of(rules) : null, problems);
    }
}
