package lnm.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.config.Problem;
import lnm.fleet.BundleStore;

/**
 * {@code lnm check}: validates the config and allowlist; exit 0 valid, 1 invalid. Warnings
 * (legal but dangerous settings) print as {@code FILE:LINE: warning: ...} and keep exit 0,
 * unless {@code --strict} makes them failures. {@code lnm import} judges the files it wrote
 * with the same {@link #verdict}.
 */
final class CheckCommand {
    private CheckCommand() {}

    static int check(PrintStream out, Path file, boolean print, boolean strict) {
        LoadResult r = BundleStore.load(file);
        if (!verdict(out, file, r, strict, 0)) {
            return 1;
        }
        Config c = r.config();
        int warnings = r.warnings().size();
        out.println(file + ": ok (" + c.listeners().size() + " listener(s), " + c.allowlist().rules().size()
                + " allowlist rule(s) in " + c.allowlistFile() + (warnings == 0 ? ")" : "; " + warnings + " warning(s))")
                + (c.get(lnm.config.Key.FLEET_DIR).isEmpty() ? "" : "; " + lnm.fleet.FleetCheck.boxes(c) + " box folder(s) in fleet.dir ok"));
        if (print) {
            for (String line : c.effectiveSettings()) {
                out.println(line);
            }
        }
        return 0;
    }

    /**
     * Prints what is wrong with a loaded config as {@code lnm check} does (problems, then
     * warnings, then the fleet folders' problems) and says whether it passes: no problems, and
     * with {@code strict} no warnings either, counting {@code earlierWarnings} that the caller
     * printed before (those of the resource {@code lnm import} read).
     */
    static boolean verdict(PrintStream out, Path file, LoadResult r, boolean strict, int earlierWarnings) {
        if (!r.ok()) {
            for (Problem p : r.problems()) {
                out.println(p);
            }
            out.println(r.problems().size() + " problem(s); " + file + " is not valid");
            return false;
        }
        for (Problem w : r.warnings()) {
            out.println(w);
        }
        java.util.List<Problem> fleet = lnm.fleet.FleetCheck.problems(r.config());
        if (!fleet.isEmpty()) {
            fleet.forEach(out::println);
            out.println(fleet.size() + " problem(s) in the fleet folders or keys; " + file + " is not valid");
            return false;
        }
        int warnings = r.warnings().size() + earlierWarnings;
        if (strict && warnings > 0) {
            out.println(warnings + " warning(s); " + file + " is not accepted with --strict");
            return false;
        }
        return true;
    }
}
