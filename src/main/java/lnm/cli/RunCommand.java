package lnm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

import sun.misc.Signal;

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
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Signal.handle(new Signal("HUP"), s -> {
            LOG.info("SIGHUP: reloading " + config);
            Thread t = new Thread(app::reload, "lnm-reload");
            t.setDaemon(true);
            t.start();
        });
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("stopping: no new connections; draining up to " + app.config().drainMillis() + " ms");
        app.shutdown();
        return 0;
    }
}
