package lnm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Configuration that comes from elsewhere and lies over {@code lnm.properties}: a whole
 * allowlist that replaces the one the file names, and overrides for the keys that
 * {@code mayOverride} accepts (an override replaces the file's value of that key). Problems in
 * either part name the paths given here, at their own lines.
 *
 * @param allowlistFile  the path problems and {@link Config#allowlistFile()} name
 * @param allowlistText  the allowlist, in allowlist.properties syntax
 * @param overridesFile  the path problems in the overrides name
 * @param overridesText  overrides, in lnm.properties syntax (may be empty)
 * @param mayOverride    which key names may be overridden; any other is a problem
 * @param whyNot         says which keys may, for the message about one that may not
 */
public record ConfigLayer(Path allowlistFile, String allowlistText, Path overridesFile, String overridesText,
        Predicate<String> mayOverride, String whyNot) {

    /**
     * The file's entries with the overrides in place of the keys they name. Overrides that may
     * not be set, or are repeated, become problems (naming {@link #overridesFile}) and are dropped.
     *
     * @param fromLayer receives the override entries that were kept
     */
    List<PropertiesReader.Entry> overlay(List<PropertiesReader.Entry> own, List<Problem> problems,
            Set<PropertiesReader.Entry> fromLayer) {
        PropertiesReader.Result over = PropertiesReader.parse(overridesFile, overridesText);
        problems.addAll(over.problems());
        Map<String, PropertiesReader.Entry> kept = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        for (PropertiesReader.Entry e : over.entries()) {
            Integer before = firstLine.putIfAbsent(e.key(), e.line());
            if (before != null) {
                problems.add(new Problem(overridesFile, e.line(), "duplicate key '" + e.key() + "' (first set on line " + before + ")"));
            } else if (!mayOverride.test(e.key())) {
                problems.add(new Problem(overridesFile, e.line(), "'" + e.key() + "' cannot be set from above; " + whyNot));
            } else {
                kept.put(e.key(), e);
            }
        }
        List<PropertiesReader.Entry> out = new ArrayList<>();
        for (PropertiesReader.Entry e : own) {
            if (!kept.containsKey(e.key())) {
                out.add(e);
            }
        }
        fromLayer.addAll(kept.values());
        out.addAll(kept.values());
        return out;
    }
}
