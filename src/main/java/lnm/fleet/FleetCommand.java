package lnm.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * {@code lnm fleet keygen FILE}: writes a new Ed25519 key pair, the private key to FILE (mode
 * 0600; it stays on the box that made it) and the public key line to FILE.pub, and prints that
 * line: the top's goes into {@code fleet.trust} on every box below, a box's own
 * ({@code fleet.boxKey}) into its {@code box.pub} at the top.
 */
public final class FleetCommand {
    public static final String USAGE = "lnm fleet keygen FILE";

    private FleetCommand() {}

    public static int run(PrintStream out, List<String> args) {
        if (args.size() != 2 || !args.get(0).equals("keygen")) {
            out.println("usage: " + USAGE);
            return 2;
        }
        Path file = Path.of(args.get(1));
        try {
            String line = KeyLines.writePair(file);
            out.println(line);
            return 0;
        } catch (IOException | GeneralSecurityException e) {
            out.println("lnm: fleet keygen: " + e.getMessage());
            return 1;
        }
    }
}
