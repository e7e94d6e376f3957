package lnm.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.ParentList;

/**
 * Runs {@link ParentSet#check} every {@code parent.checkSeconds} on one daemon thread, with the
 * probe {@code parent.check} names: {@code tcp} connects to the parent's port (the first
 * listener's when the parent names none), {@code http:PORT/path} asks the parent's admin port
 * for {@code /readyz} and wants a 200. The settings are read again before every round, so a
 * reload applies at the next one. With a single parent nothing is probed: its health changes
 * no order.
 */
public final class ParentChecker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ParentChecker.class.getName());
    /** A probe never waits longer than this, whatever the interval, so a round stays short. */
    private static final int MAX_PROBE_MILLIS = 5_000;

    private final ParentSet set;
    private final Supplier<Config> config;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lnm-parent-check");
        t.setDaemon(true);
        return t;
    });

    public ParentChecker(ParentSet set, Supplier<Config> config) {
        this.set = set;
        this.config = config;
    }

    /** Starts the rounds; the first runs at once. */
    public void start() {
        timer.schedule(this::round, 0, TimeUnit.MILLISECONDS);
    }

    private void round() {
        Config c = config.get();
        try {
            // One parent is tried whatever its health, so it is not probed: each tcp probe is a
            // connection the parent audits (no_hello), noise with nothing to gain.
            if (c.parentCheck().kind() != ParentList.Check.Kind.OFF && set.size() > 1) {
                set.check(probe(c));
            }
        } catch (RuntimeException e) {
            LOG.warning("parent check round failed: " + e);
        }
        if (!timer.isShutdown()) {
            timer.schedule(this::round, c.parentCheckMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The probe {@code c} asks for. */
    static ParentSet.Probe probe(Config c) {
        ParentList.Check check = c.parentCheck();
        int timeout = (int) Math.min(MAX_PROBE_MILLIS, Math.min(c.connectTimeoutMillis(), c.parentCheckMillis()));
        int fallbackPort = c.listeners().isEmpty() ? 443 : c.listeners().get(0).bind().getPort();
        if (check.kind() == ParentList.Check.Kind.HTTP) {
            return p -> http(p.host(), check.port(), check.path(), timeout);
        }
        return p -> tcp(p.host(), check.port() > 0 ? check.port() : p.withDefaultPort(fallbackPort).port(), timeout);
    }

    /** Null when a TCP connection to host:port opens within the timeout. */
    static String tcp(String host, int port, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            return null;
        } catch (IOException e) {
            return "tcp check of " + new HostPort(host, port) + ": " + e.getMessage();
        }
    }

    /** Null when {@code GET path} on host:port answers 200 within the timeout. */
    static String http(String host, int port, String path, int timeoutMillis) {
        String where = "http check of " + new HostPort(host, port) + path;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + new HostPort(host, port)
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = statusLine(s.getInputStream());
            if (status.startsWith("HTTP/1.") && status.length() >= 12 && status.substring(9, 12).equals("200")) {
                return null;
            }
            return where + ": " + (status.isEmpty() ? "no answer" : status);
        } catch (IOException e) {
            return where + ": " + e.getMessage();
        }
    }

    /** The first line of the response, at most 200 characters. */
    private static String statusLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
