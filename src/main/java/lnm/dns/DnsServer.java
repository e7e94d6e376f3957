package lnm.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lnm.audit.AuditLog;
import lnm.config.Config;

/**
 * The built-in DNS server for the level below: names the allowlist allows resolve to
 * this box, so a lower-level box needs no DNS server of its own configured to point at it.
 *
 * <p>{@code dns.listen} turns it on (UDP and TCP on one port). What a query gets is
 * {@link Responder}'s decision; how queries are admitted (sources, rate limit) is
 * {@link QueryHandler}'s; the sockets live on one thread of their own ({@link DnsLoop}).
 * Each query reads the current config snapshot from the supplier, so a reload applies to
 * the next query; {@link #apply} only rebinds when {@code dns.listen} itself changed.
 *
 * <p>{@link #counters()} are the per-result counts for the metrics endpoint. With
 * {@code dns.audit = true} every query (except rate-limited ones) is one audit line:
 * {@code {"time", "kind":"dns", "level", "client", "transport", "name", "type", "rcode",
 * "result", "answer":[...]}} plus {@code rule}, {@code upstream} or {@code error} when known.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());

    private final Supplier<Config> config;
    private final Consumer<String> audit;
    private final DnsCounters counters = new DnsCounters();
    private DnsLoop loop;
    private Thread thread;

    /**
     * @param config the current config snapshot (read for every query)
     * @param audit  where audit lines go when {@code dns.audit = true}; may be null
     */
    public DnsServer(Supplier<Config> config, AuditLog audit) {
        this.config = Objects.requireNonNull(config);
        this.audit = audit == null ? null : audit::writeLine;
    }

    /**
     * Binds and starts serving if {@code dns.listen} is set; does nothing otherwise.
     *
     * @return problems binding, ready to print; when not empty nothing was started
     */
    public synchronized List<String> start() {
        Optional<InetSocketAddress> listen = config.get().dnsListen();
        if (listen.isEmpty() || loop != null) {
            return List.of();
        }
        try {
            loop = DnsLoop.open(config, counters, audit, listen.get());
        } catch (IOException | RuntimeException e) {
            return List.of("dns.listen " + LocalAddresses.format(listen.get()) + ": cannot bind: " + e.getMessage());
        }
        thread = new Thread(loop, "lnm-dns");
        thread.setDaemon(true);
        thread.start();
        LOG.info("dns listening on tcp " + LocalAddresses.format(loop.tcpAddress()) + " and udp "
                + String.join(", ", loop.udpAddresses().stream().map(LocalAddresses::format).toList()));
        return List.of();
    }

    /**
     * After a reload: starts, stops or rebinds when {@code dns.listen} changed; otherwise the
     * new snapshot is already in use, and local addresses are enumerated again.
     *
     * @param c the new config (the supplier already returns it)
     * @return problems binding the new address (the DNS server is then off)
     */
    public synchronized List<String> apply(Config c) {
        Optional<InetSocketAddress> listen = c.dnsListen();
        if (loop != null && listen.isPresent() && listen.get().equals(loop.listen())) {
            loop.rescanLater();
            return List.of();
        }
        stop();
        return start();
    }

    /** Whether the server is running. */
    public synchronized boolean running() {
        return loop != null;
    }

    /** The TCP listener's address (its port is the UDP sockets' port too), when running. */
    public synchronized Optional<InetSocketAddress> tcpAddress() {
        return loop == null ? Optional.empty() : Optional.of(loop.tcpAddress());
    }

    /** The UDP sockets' addresses (one per local address for a wildcard), when running. */
    public synchronized List<InetSocketAddress> udpAddresses() {
        return loop == null ? List.of() : loop.udpAddresses();
    }

    /** Per-result query counts; live, readable from any thread. */
    public DnsCounters counters() {
        return counters;
    }

    private void stop() {
        if (loop == null) {
            return;
        }
        loop.stop();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop = null;
        thread = null;
    }

    /** Stops answering and closes every socket. */
    @Override
    public synchronized void close() {
        if (loop != null) {
            stop();
            LOG.info("dns stopped; " + counters);
        }
    }
}
