package lnm.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link ConfigLayer} on its own, without the {@code lnm.properties} it will lie over:
 * what the top box can know about a box's folder. Every allowlist line and every override is
 * checked as {@code lnm check} checks them; {@code parent} destinations pass (whether the box
 * has a parent is checked on the box).
 */
public final class LayerCheck {
    private LayerCheck() {}

    public static List<Problem> problems(ConfigLayer layer) {
        List<Problem> out = new ArrayList<>(AllowlistReader.parse(
                PropertiesReader.parse(layer.allowlistFile(), layer.allowlistText()), layer.allowlistFile(), true).problems());
        PropertiesReader.Result over = PropertiesReader.parse(layer.overridesFile(), layer.overridesText());
        out.addAll(over.problems());
        Map<String, Integer> first = new HashMap<>();
        for (PropertiesReader.Entry e : over.entries()) {
            Integer before = first.putIfAbsent(e.key(), e.line());
            Key<?> k = Key.global(e.key());
            String why = null;
            if (before != null) {
                why = "duplicate key '" + e.key() + "' (first set on line " + before + ")";
            } else if (!layer.mayOverride().test(e.key())) {
                why = "'" + e.key() + "' cannot be set from above; " + layer.whyNot();
            } else if (k == null) {
                why = "unknown key '" + e.key() + "'";
            } else {
                try {
                    k.parse(e.key(), e.value());
                } catch (IllegalArgumentException ex) {
                    why = ex.getMessage();
                }
            }
            if (why != null) {
                out.add(new Problem(layer.overridesFile(), e.line(), why));
            }
        }
        return out;
    }
}
