package lnm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line entry point.
 *
 * <pre>
 *   lnm run [--config FILE]                                   foreground; SIGHUP reloads, SIGTERM drains
 *   lnm check --config FILE [--print] [--strict]              validate; FILE:LINE: message per problem
 *                                                             (and FILE:LINE: warning: ...; --strict fails on those)
 *   lnm explain --config FILE NAME [--port N] [--source IP]   the decision for one name
 *   lnm fleet keygen FILE                                     Ed25519 key pair for the fleet (the top's, a box's)
 *   lnm import lnm-cr FILE --out DIR [--strict]               an Azure LNM resource into lnm's files,
 *                                                             checked as lnm check [--strict] checks them
 *   lnm suggest [--diff ALLOWLIST] AUDITFILE ...             allowlist lines for the names the audit shows
 *                                                             refused as not allowlisted (summary on stderr)
 *   lnm probe --config FILE [NAME ...]                        a TLS handshake with every allowlisted name along
 *                                                             its route (options: ProbeCommand.USAGE)
 *   lnm version
 * </pre>
 */
public final class Main {
    static final String DEFAULT_CONFIG = "/etc/lnm/lnm.properties";
    static final String USAGE = String.join(System.lineSeparator(),
            "usage: lnm run [--config FILE]",
            "       lnm check --config FILE [--print] [--strict]",
            "       lnm explain --config FILE NAME [--port N] [--source IP]",
            "       " + lnm.fleet.FleetCommand.USAGE,
            "       lnm import lnm-cr FILE --out DIR [--strict]",
            "       lnm suggest [--diff ALLOWLIST] AUDITFILE ...",
            "       " + ProbeCommand.USAGE,
            "       lnm version");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(System.out, args));
    }

    /** Runs one command and returns its exit code; only {@link #main} exits the JVM. */
    public static int run(PrintStream out, String[] args) {
        if (args.length == 0) {
            out.println(USAGE);
            return 2;
        }
        Args a;
        try {
            a = Args.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("lnm: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        switch (a.command) {
            case "version", "--version" -> {
                out.println("lnm " + Version.get());
                return 0;
            }
            case "run" -> {
                return RunCommand.run(out, Path.of(a.config != null ? a.config : DEFAULT_CONFIG));
            }
            case "check" -> {
                return CheckCommand.check(out, a.requireConfig(), a.print, a.strict);
            }
            case "explain" -> {
                if (a.positional.size() != 1) {
                    out.println("lnm: explain needs exactly one NAME");
                    return 2;
                }
                return ExplainCommand.explain(out, a.requireConfig(), a.positional.get(0), a.port, a.source);
            }
            case "fleet" -> {
                return lnm.fleet.FleetCommand.run(out, a.positional);
            }
            case "import" -> {
                return ImportCommand.run(out, a.positional, a.out, a.strict);
            }
            case "suggest" -> {
                return SuggestCommand.run(out, System.err, a.positional, a.diff);
            }
            case "probe" -> {
                if (a.config == null) {
                    out.println("lnm: probe needs --config FILE");
                    out.println("usage: " + ProbeCommand.USAGE);
                    return 2;
                }
                return ProbeCommand.run(out, a.requireConfig(), a.positional, a.port, a.timeout, a.parallel, a.truststore);
            }
            case "help", "--help", "-h" -> {
                out.println(USAGE);
                return 0;
            }
            default -> {
                out.println("lnm: unknown command '" + a.command + "'");
                out.println(USAGE);
                return 2;
            }
        }
    }

    /** Parsed arguments: a command, options, and the rest. */
    static final class Args {
        String command;
        String config;
        boolean print;
        boolean strict;
        Integer port;
        String source;
        String out;
        String diff;
        String timeout;
        String parallel;
        String truststore;
        final List<String> positional = new ArrayList<>();

        static Args parse(String[] args) {
            Args a = new Args();
            a.command = args[0];
            for (int i = 1; i < args.length; i++) {
                String s = args[i];
                switch (s) {
                    case "--config", "-c" -> a.config = value(args, ++i, s);
                    case "--print" -> a.print = true;
                    case "--strict" -> a.strict = true;
                    case "--source" -> a.source = value(args, ++i, s);
                    case "--out" -> a.out = value(args, ++i, s);
                    case "--diff" -> a.diff = value(args, ++i, s);
                    case "--timeout" -> a.timeout = value(args, ++i, s);
                    case "--parallel" -> a.parallel = value(args, ++i, s);
                    case "--truststore" -> a.truststore = value(args, ++i, s);
                    case "--port" -> {
                        String v = value(args, ++i, s);
                        try {
                            a.port = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port needs a number, got '" + v + "'");
                        }
                        if (a.port < 1 || a.port > 65535) {
                            throw new IllegalArgumentException("--port must be 1-65535, got " + a.port);
                        }
                    }
                    default -> {
                        if (s.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + s);
                        }
                        a.positional.add(s);
                    }
                }
            }
            return a;
        }

        private static String value(String[] args, int i, String opt) {
            if (i >= args.length) {
                throw new IllegalArgumentException(opt + " needs a value");
            }
            return args[i];
        }

        Path requireConfig() {
            return Path.of(config != null ? config : DEFAULT_CONFIG);
        }
    }
}
