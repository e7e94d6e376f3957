package lnm.cli;

import java.io.PrintStream;

/** Command line entry point: {@code lnm run|check|explain|version}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(System.out, args));
    }

    /** Runs one command and returns its exit code; only {@link #main} exits the JVM. */
    public static int run(PrintStream out, String[] args) {
        if (args.length == 1 && args[0].equals("version")) {
            out.println("lnm " + Version.get());
            return 0;
        }
        out.println("usage: lnm run [--config FILE] | check --config FILE | explain --config FILE NAME | version");
        return 2;
    }
}
