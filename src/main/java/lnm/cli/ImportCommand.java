package lnm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import lnm.config.LoadResult;
import lnm.fleet.BundleStore;
import lnm.importer.LnmImport;

/**
 * {@code lnm import lnm-cr FILE --out DIR [--strict]}: an Azure Layered Network Management
 * resource into lnm's two files, which are then judged as {@code lnm check [--strict]} judges
 * them. Files that do not pass (with {@code --strict}: that come with any warning, the
 * resource's or the check's) are removed again, so a failed import leaves nothing behind.
 */
final class ImportCommand {
    private ImportCommand() {}

    static int run(PrintStream out, List<String> positional, String outDir, boolean strict) {
        if (positional.size() != 2 || !positional.get(0).equals("lnm-cr")) {
            out.println("lnm: import needs 'lnm-cr FILE' (an Lnm resource as YAML or JSON)");
            return 2;
        }
        if (outDir == null) {
            out.println("lnm: import needs --out DIR");
            return 2;
        }
        LnmImport.Written w = LnmImport.write(out, Path.of(positional.get(1)), Path.of(outDir));
        if (w == null) {
            return 1;
        }
        LoadResult r = BundleStore.load(w.config());
        if (!CheckCommand.verdict(out, w.config(), r, strict, w.warnings())) {
            try {
                w.remove();
                out.println("removed " + w.config() + " and " + w.allowlist() + " again; nothing imported");
            } catch (IOException e) {
                out.println(w.config() + ": cannot remove: " + e.getMessage());
            }
            return 1;
        }
        int warnings = w.warnings() + r.warnings().size();
        out.println("wrote " + w.config() + " and " + w.allowlist() + " (" + r.config().allowlist().rules().size()
                + " allowlist rule(s), " + warnings + " warning(s)); `lnm check --config " + w.config() + "` passes"
                + (warnings == 0 ? "" : " (with the warnings above)"));
        return 0;
    }
}
