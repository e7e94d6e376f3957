package lnm.config;

import java.nio.file.Path;
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
        Predicate<String> mayOverride, String whyNot) {}
