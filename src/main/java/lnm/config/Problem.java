package lnm.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing wrong with a config file, printed by {@code lnm check} as {@code FILE:LINE: message}
 * (line 0 means the file as a whole, printed as {@code FILE: message}).
 */
public record Problem(Path file, int line, String message) {

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
