package lnm.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from the format's
 * description, for tests: it rejects anything a Prometheus server would reject and a few things
 * it would merely tolerate (a sample without a {@code # TYPE}, a family split in two).
 * Errors name the line.
 */
public final class PromParser {
    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    public record Sample(String name, Map<String, String> labels, double value) {}

    public static final class Family {
        public final String name;
        public String type;
        public String help;
        public final List<Sample> samples = new ArrayList<>();

        Family(String name) {
            this.name = name;
        }
    }

    /** Thrown for invalid input, naming the line. */
    static final class ParseError extends IllegalArgumentException {
        ParseError(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Set<String> finished = new HashSet<>();
    private final Set<String> series = new HashSet<>();
    private Family current;

    private PromParser() {}

    public static Map<String, Family> parse(String text) {
        return new PromParser().run(text);
    }

    private Map<String, Family> run(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new ParseError(0, "the last line must end with a line feed");
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            int no = i + 1;
            if (line.indexOf('\r') >= 0) {
                throw new ParseError(no, "carriage return");
            }
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                comment(no, line);
            } else {
                sample(no, line);
            }
        }
        for (Family f : families.values()) {
            if (f.type.equals("histogram")) {
                checkHistogram(f);
            }
        }
        return families;
    }

    private void comment(int no, String line) {
        String[] parts = line.split("[ \t]+", 4);
        if (parts.length < 3 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
            return; // an ordinary comment
        }
        String name = parts[2];
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new ParseError(no, "bad metric name '" + name + "'");
        }
        Family f = enter(no, name);
        if (parts[1].equals("HELP")) {
            if (f.help != null) {
                throw new ParseError(no, "second HELP for " + name);
            }
            f.help = unescapeHelp(no, parts.length > 3 ? parts[3] : "");
        } else {
            if (f.type != null) {
                throw new ParseError(no, "second TYPE for " + name);
            }
            if (!f.samples.isEmpty()) {
                throw new ParseError(no, "TYPE after samples of " + name);
            }
            String t = parts.length > 3 ? parts[3].trim() : "";
            if (!TYPES.contains(t)) {
                throw new ParseError(no, "unknown type '" + t + "'");
            }
            f.type = t;
        }
    }

    /** Makes {@code name} the current family, refusing to go back to one already left. */
    private Family enter(int no, String name) {
        if (current != null && !current.name.equals(name)) {
            finished.add(current.name);
        }
        if (finished.contains(name)) {
            throw new ParseError(no, "family " + name + " is split: its lines must be together");
        }
        current = families.computeIfAbsent(name, Family::new);
        return current;
    }

    private void sample(int no, String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        String name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new ParseError(no, "bad metric name '" + name + "'");
        }
        Map<String, String> labels = new TreeMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i >= n) {
                    throw new ParseError(no, "unterminated label set");
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new ParseError(no, "label without '='");
                }
                String ln = line.substring(i, eq);
                if (!LABEL_NAME.matcher(ln).matches() || ln.startsWith("__")) {
                    throw new ParseError(no, "bad label name '" + ln + "'");
                }
                i = eq + 1;
                if (i >= n || line.charAt(i) != '"') {
                    throw new ParseError(no, "label value must be quoted");
                }
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= n) {
                        throw new ParseError(no, "unterminated label value");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        if (i >= n) {
                            throw new ParseError(no, "dangling backslash");
                        }
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new ParseError(no, "bad escape \\" + e + " in label value");
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(ln, v.toString()) != null) {
                    throw new ParseError(no, "label " + ln + " repeated");
                }
                if (i < n && line.charAt(i) == ',') {
                    i++;
                } else if (i >= n || line.charAt(i) != '}') {
                    throw new ParseError(no, "expected ',' or '}' after a label");
                }
            }
        }
        if (i >= n || (line.charAt(i) != ' ' && line.charAt(i) != '\t')) {
            throw new ParseError(no, "expected a blank before the value");
        }
        String[] rest = line.substring(i).trim().split("[ \t]+");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new ParseError(no, "expected a value and an optional timestamp");
        }
        double value = number(no, rest[0]);
        if (rest.length == 2 && !rest[1].matches("-?[0-9]{1,19}")) {
            throw new ParseError(no, "bad timestamp '" + rest[1] + "'");
        }
        Family f = familyOf(no, name);
        if (f.type.equals("counter") && (Double.isNaN(value) || value < 0)) {
            throw new ParseError(no, "counter " + name + " is negative or NaN");
        }
        if (!series.add(name + labels)) {
            throw new ParseError(no, "duplicate series " + name + labels);
        }
        f.samples.add(new Sample(name, Map.copyOf(labels), value));
    }

    private Family familyOf(int no, String name) {
        Family f = families.get(name);
        String base = name;
        if (f == null || f.type == null) {
            for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
                if (name.endsWith(suffix)) {
                    Family b = families.get(name.substring(0, name.length() - suffix.length()));
                    if (b != null && b.type != null && (b.type.equals("histogram")
                            || (b.type.equals("summary") && !suffix.equals("_bucket")))) {
                        f = b;
                        base = b.name;
                    }
                }
            }
        }
        if (f == null || f.type == null) {
            throw new ParseError(no, "sample " + name + " has no TYPE line before it");
        }
        if ((f.type.equals("histogram")) && base.equals(name)) {
            throw new ParseError(no, "histogram " + name + " has a sample without _bucket, _sum or _count");
        }
        enter(no, base);
        return f;
    }

    private static double number(int no, String s) {
        switch (s) {
            case "+Inf", "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                if (!s.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
                    throw new ParseError(no, "bad value '" + s + "'");
                }
                return Double.parseDouble(s);
        }
    }

    private static String unescapeHelp(int no, String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length()) {
                    throw new ParseError(no, "dangling backslash in HELP");
                }
                char e = s.charAt(++i);
                switch (e) {
                    case '\\' -> b.append('\\');
                    case 'n' -> b.append('\n');
                    default -> throw new ParseError(no, "bad escape \\" + e + " in HELP");
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Buckets per label set: increasing le, cumulative counts, +Inf equal to _count, a _sum. */
    private static void checkHistogram(Family f) {
        Map<Map<String, String>, TreeMap<Double, Double>> buckets = new HashMap<>();
        Map<Map<String, String>, Double> counts = new HashMap<>();
        Set<Map<String, String>> sums = new HashSet<>();
        Map<Map<String, String>, Double> lastLe = new HashMap<>();
        for (Sample s : f.samples) {
            Map<String, String> rest = new TreeMap<>(s.labels());
            if (s.name().endsWith("_bucket")) {
                String le = rest.remove("le");
                if (le == null) {
                    throw new ParseError(0, f.name + "_bucket without le");
                }
                double bound = number(0, le);
                Double prev = lastLe.put(rest, bound);
                if (prev != null && !(bound > prev)) {
                    throw new ParseError(0, f.name + " buckets are not in increasing le order");
                }
                buckets.computeIfAbsent(rest, k -> new TreeMap<>()).put(bound, s.value());
            } else if (s.name().endsWith("_count")) {
                counts.put(rest, s.value());
            } else {
                sums.add(rest);
            }
        }
        for (var e : buckets.entrySet()) {
            double prev = 0;
            for (double c : e.getValue().values()) {
                if (c < prev) {
                    throw new ParseError(0, f.name + " bucket counts are not cumulative");
                }
                prev = c;
            }
            Double inf = e.getValue().get(Double.POSITIVE_INFINITY);
            if (inf == null) {
                throw new ParseError(0, f.name + " has no +Inf bucket");
            }
            if (!inf.equals(counts.get(e.getKey()))) {
                throw new ParseError(0, f.name + "_count differs from the +Inf bucket");
            }
            if (!sums.contains(e.getKey())) {
                throw new ParseError(0, f.name + " has no _sum");
            }
        }
    }

    // ---- lookups for assertions ------------------------------------------------------------------

    /** The value of the one sample named {@code name} with exactly these labels (name, value pairs), or null. */
    public static Double value(Map<String, Family> fams, String name, String... labels) {
        Map<String, String> want = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        for (Family f : fams.values()) {
            for (Sample s : f.samples) {
                if (s.name().equals(name) && new TreeMap<>(s.labels()).equals(want)) {
                    return s.value();
                }
            }
        }
        return null;
    }

    /** The sum over every sample named {@code name} whose labels include these (name, value pairs). */
    public static double sum(Map<String, Family> fams, String name, String... labels) {
        double total = 0;
        for (Family f : fams.values()) {
            for (Sample s : f.samples) {
                if (!s.name().equals(name)) {
                    continue;
                }
                boolean match = true;
                for (int i = 0; i < labels.length; i += 2) {
                    match &= labels[i + 1].equals(s.labels().get(labels[i]));
                }
                if (match) {
                    total += s.value();
                }
            }
        }
        return total;
    }
}
