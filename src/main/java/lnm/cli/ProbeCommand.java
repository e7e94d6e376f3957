package lnm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.X509ExtendedTrustManager;

import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.config.Names;
import lnm.config.Problem;
import lnm.fleet.BundleStore;
import lnm.probe.Outcome;
import lnm.probe.Plan;
import lnm.probe.ProbeRun;
import lnm.probe.Route;
import lnm.probe.Settings;
import lnm.probe.Target;
import lnm.probe.Trust;

/**
 * {@code lnm probe}: from this box, a TLS handshake with every exact name of the allowlist (and
 * the names given) along the route a device's connection takes, one line per name. Exit 0 when
 * every name answered, 1 when one did not, 2 on bad usage or a config that does not load.
 */
final class ProbeCommand {
    static final String USAGE = "lnm probe --config FILE [--port N] [--timeout SECONDS] [--parallel N] [--truststore FILE] [NAME ...]";
    static final int DEFAULT_PORT = 443;
    static final int DEFAULT_TIMEOUT_SECONDS = 5;
    static final int MAX_TIMEOUT_SECONDS = 60;
    static final int DEFAULT_PARALLEL = 8;

    private ProbeCommand() {}

    static int run(PrintStream out, Path config, List<String> names, Integer port, String timeout, String parallel,
            String truststore) {
        int seconds;
        int par;
        try {
            seconds = number(timeout, "--timeout", DEFAULT_TIMEOUT_SECONDS, 1, MAX_TIMEOUT_SECONDS);
            par = number(parallel, "--parallel", DEFAULT_PARALLEL, 1, ProbeRun.MAX_PARALLEL);
        } catch (IllegalArgumentException e) {
            out.println("lnm: " + e.getMessage());
            out.println("usage: " + USAGE);
            return 2;
        }
        for (String n : names) {
            if (Names.normalize(n) == null) {
                out.println("lnm: probe: '" + Outcome.printable(n.length() > 300 ? n.substring(0, 300) + "..." : n)
                        + "' is not a host name (dot-separated labels of 1-63 letters, digits, '-' or '_'; at most 253 characters)");
                return 2;
            }
        }
        LoadResult r = BundleStore.load(config);
        if (!r.ok()) {
            for (Problem p : r.problems()) {
                out.println(p);
            }
            return 2;
        }
        Config c = r.config();
        X509ExtendedTrustManager trust;
        try {
            trust = truststore != null ? Trust.fromFile(Path.of(truststore)) : Trust.jdkDefault();
        } catch (IOException | GeneralSecurityException e) {
            out.println("lnm: --truststore " + e.getMessage());
            return 2;
        }
        int p = port != null ? port : DEFAULT_PORT;
        List<Target> plan = Plan.of(c, names, p, Route.egressProxies(c));
        if (plan.isEmpty()) {
            out.println("lnm: nothing to probe: the allowlist has no names and none were given");
            return 2;
        }
        ExecutorService lookups = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "lnm-probe-dns");
            t.setDaemon(true);
            return t;
        });
        try {
            Settings s = new Settings(c, p, seconds * 1000, trust, Settings.SYSTEM, lookups);
            int nameWidth = ProbeRun.nameWidth(plan);
            int routeWidth = ProbeRun.routeWidth(plan);
            List<Outcome> outcomes = ProbeRun.run(plan, s, par, o -> {
                out.println(o.line(nameWidth, routeWidth));
                out.flush();
            });
            return outcomes.stream().anyMatch(Outcome::failed) ? 1 : 0;
        } finally {
            lookups.shutdownNow();
        }
    }

    private static int number(String v, String opt, int dflt, int min, int max) {
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a number, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(opt + " must be " + min + "-" + max + ", got " + n);
        }
        return n;
    }
}
