package lnm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code lnm run}: the appliance in the foreground until SIGTERM or SIGINT.
 *
 * <p>Signals go through {@code sun.misc.Signal} (module jdk.unsupported, part of the JDK) because
 * the standard API has no SIGHUP; handlers only hand work to this thread, never block.
 */
final class RunCommand {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    private RunCommand() {}

    static int run(PrintStream out, Path config) {
        Logs.init();
        // The handlers go in before the start: a SIGHUP (logrotate) or SIGTERM that arrives while
        // the config loads and the listeners open must not end the process by the signal's
        // default action. A SIGHUP then is held and reloads once the appliance is up; a SIGTERM
        // stops it right after its start.
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<Appliance> running = new AtomicReference<>();
        AtomicBoolean hupPending = new AtomicBoolean();
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        SignalHandler before = Signal.handle(new Signal("HUP"), s -> {
            hupPending.set(true);
            Appliance a = running.get();
            if (a == null) {
                LOG.info("SIGHUP while starting: reloading once started");
            } else if (hupPending.getAndSet(false)) {
                reloadInBackground(a, config);
            }
        });
        if (before == SignalHandler.SIG_IGN) {
            // the JVM leaves a signal that was ignored when it started (nohup) ignored
            LOG.warning("SIGHUP is ignored in this process (started under nohup?): it will not reload or reopen "
                    + "the audit log; saving the config file still reloads (bin/lnm resets SIGHUP where env can)");
        }
        Appliance app;
        try {
            app = Appliance.start(config);
        } catch (Appliance.StartException e) {
            for (String p : e.problems()) {
                LOG.severe(p);
            }
            LOG.severe("not started: fix the problems above (lnm check --config " + config + ")");
            return 1;
        }
        running.set(app);
        if (hupPending.getAndSet(false)) { // a SIGHUP came during the start
            reloadInBackground(app, config);
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("stopping: no new connections; draining up to " + app.config().drainMillis() + " ms");
        app.shutdown();
        return 0;
    }

    /** A reload on a thread of its own: a signal handler never waits for it. */
    private static void reloadInBackground(Appliance app, Path config) {
        LOG.info("SIGHUP: reloading " + config);
        Thread t = new Thread(app::reload, "lnm-reload");
        t.setDaemon(true);
        t.start();
    }
}
