package lnm.config;

import java.util.List;

/**
 * The outcome of {@link Config#load}: a config, or every problem found (then {@code config} is null).
 */
public record LoadResult(Config config, List<Problem> problems) {

    public LoadResult {
        problems = List.copyOf(problems);
        if ((config == null) == problems.isEmpty()) {
            throw new IllegalArgumentException("exactly one of config and problems must be present");
        }
    }

    /** True if the config loaded without problems. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
