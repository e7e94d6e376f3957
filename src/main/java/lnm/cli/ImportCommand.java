package lnm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import lnm.importer.LnmImport;

/** {@code lnm import lnm-cr FILE --out DIR}: an Azure Layered Network Management resource into lnm's two files. */
final class ImportCommand {
    private ImportCommand() {}

    static int run(PrintStream out, List<String> positional, String outDir) {
        if (positional.size() != 2 || !positional.get(0).equals("lnm-cr")) {
            out.println("lnm: import needs 'lnm-cr FILE' (an Lnm resource as YAML or JSON)");
            return 2;
        }
        if (outDir == null) {
            out.println("lnm: import needs --out DIR");
            return 2;
        }
        return LnmImport.run(out, Path.of(positional.get(1)), Path.of(outDir));
    }
}
