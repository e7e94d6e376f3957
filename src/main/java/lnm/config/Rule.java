package lnm.config;

import java.nio.file.Path;

/**
 * One allowlist line.
 *
 * @param pattern normalized pattern: lowercase, no trailing dot, {@code name} or {@code *.suffix}
 * @param destination where matching connections go
 * @param file the allowlist file it came from
 * @param line its line number there (the first line of a continued entry)
 */
public record Rule(String pattern, Destination destination, Path file, int line) {

    /** True for {@code *.suffix} patterns. */
    public boolean wildcard() {
        return pattern.startsWith("*.");
    }
}
