package lnm.cli;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lnm.suggest.Limits;
import lnm.suggest.Suggest;

/**
 * {@code lnm suggest [--diff ALLOWLIST] AUDITFILE ...}: an allowlist fragment for the names the
 * audit files show refused as not on the allowlist ({@link Suggest}); the summary goes to
 * stderr. Exit 0 when it printed the fragment, 1 when an input cannot be read, 2 on bad usage.
 */
final class SuggestCommand {
    private SuggestCommand() {}

    static int run(PrintStream out, PrintStream err, List<String> positional, String diff) {
        if (positional.isEmpty()) {
            out.println("lnm: suggest needs at least one AUDITFILE");
            return 2;
        }
        List<Path> files = new ArrayList<>();
        Path allowlist;
        try {
            for (String p : positional) {
                files.add(Path.of(p));
            }
            allowlist = diff == null ? null : Path.of(diff);
        } catch (InvalidPathException e) {
            out.println("lnm: suggest: not a path: " + e.getMessage());
            return 2;
        }
        return Suggest.run(files, allowlist, Limits.DEFAULT, out, err);
    }
}
