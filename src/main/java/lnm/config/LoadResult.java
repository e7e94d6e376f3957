package lnm.config;

import java.util.List;

/**
 * The outcome of {@link Config#load}: a config, or every problem found (then {@code config} is
 * null). A config may come with warnings: settings that are legal but dangerous, each a
 * {@link Problem} whose message starts with {@code warning: } (see {@link Warnings}).
 */
public record LoadResult(Config config, List<Problem> problems, List<Problem> warnings) {

    public LoadResult {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
        if ((config == null) == problems.isEmpty()) {
            throw new IllegalArgumentException("exactly one of config and problems must be present");
        }
    }

    /** A result without warnings. */
    public LoadResult(Config config, List<Problem> problems) {
        this(config, problems, List.of());
    }

    /** True if the config loaded without problems. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
