package lnm.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Box names ({@code name} in lnm.properties): a box's folder name in {@code fleet.dir} at the
 * top, so only characters that are safe in a path and in a URL: lowercase letters, digits,
 * {@code . - _}, not starting with a dot, at most 63 characters.
 */
public final class BoxName {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-][a-z0-9._-]{0,62}");

    private BoxName() {}

    /** Whether {@code s} is a valid box name. */
    public static boolean valid(String s) {
        return s != null && NAME.matcher(s).matches();
    }

    /**
     * The {@code name} key's value: a valid name as written, or the host name when empty.
     *
     * @throws IllegalArgumentException when a written name is not valid
     */
    public static String parse(String v) {
        if (v.isEmpty()) {
            return hostName();
        }
        if (!valid(v)) {
            throw new IllegalArgumentException("use lowercase letters, digits, '.', '-' and '_' (at most 63, no leading dot)");
        }
        return v;
    }

    /**
     * This host's name made into a box name (lowercased, other characters as '-'), read from
     * the kernel rather than resolved, so that it never waits on DNS; "lnm" if there is none.
     */
    static String hostName() {
        String h = null;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            h = System.getenv("HOSTNAME");
        }
        if (h == null || h.isBlank()) {
            return "lnm";
        }
        String s = h.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceFirst("^\\.+", "");
        s = s.length() > 63 ? s.substring(0, 63) : s;
        return valid(s) ? s : "lnm";
    }
}
