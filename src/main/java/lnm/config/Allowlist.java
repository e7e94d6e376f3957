package lnm.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The allowlist: exact names and {@code *.suffix} patterns, each with a destination.
 *
 * <p>Matching is two hash lookups per label of the name, never a scan of the rules: first the
 * whole name among exact patterns, then each proper suffix, longest first, among wildcard
 * patterns. So the most specific pattern wins: exact before wildcard, longer suffix before
 * shorter. {@code *.example.com} matches names below example.com at any depth, but not
 * {@code example.com} itself (a wildcard needs at least one label in its place) and not
 * {@code badexample.com} (suffixes are only taken at dots).
 */
public final class Allowlist {
    private static final Allowlist EMPTY = new Allowlist(List.of());

    private final List<Rule> rules;
    private final Map<String, Rule> exact = new HashMap<>();
    private final Map<String, Rule> wildcard = new HashMap<>();

    private Allowlist(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        for (Rule r : this.rules) {
            String p = Names.pattern(r.pattern());
            if (!p.equals(r.pattern())) {
                throw new IllegalArgumentException("pattern '" + r.pattern() + "' is not normalized; expected '" + p + "'");
            }
            Map<String, Rule> m = r.wildcard() ? wildcard : exact;
            String k = r.wildcard() ? p.substring(2) : p;
            Rule before = m.putIfAbsent(k, r);
            if (before != null) {
                throw new IllegalArgumentException("duplicate pattern '" + p + "' (lines " + before.line() + " and " + r.line() + ")");
            }
        }
    }

    /**
     * An allowlist of these rules (normally built by {@link Config#load}).
     *
     * @throws IllegalArgumentException on an invalid, unnormalized or duplicate pattern
     */
    public static Allowlist of(List<Rule> rules) {
        return rules.isEmpty() ? EMPTY : new Allowlist(rules);
    }

    /** The allowlist that allows nothing. */
    public static Allowlist empty() {
        return EMPTY;
    }

    /**
     * The most specific rule for a name (an SNI or Host), or empty if none matches or the name
     * is not a valid DNS name. Case-insensitive; one trailing dot is ignored.
     */
    public Optional<Rule> match(String name) {
        String n = Names.normalize(name);
        if (n == null) {
            return Optional.empty();
        }
        Rule r = exact.get(n);
        if (r != null) {
            return Optional.of(r);
        }
        if (wildcard.isEmpty()) {
            return Optional.empty();
        }
        for (int dot = n.indexOf('.'); dot >= 0; dot = n.indexOf('.', dot + 1)) {
            r = wildcard.get(n.substring(dot + 1));
            if (r != null) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** All rules in file order. */
    public List<Rule> rules() {
        return rules;
    }

    /** The number of rules. */
    public int size() {
        return rules.size();
    }
}
