package lnm.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lnm.audit.AuditLog;
import lnm.config.Config;
import lnm.config.IpLiteral;
import lnm.floor.EventLoop;
import lnm.floor.NicWatch;

/**
 * The built-in DNS server for the level below: names the allowlist allows resolve to this
 * box, so a lower-level box needs no DNS server of its own configured to point at it.
 *
 * <p>{@code dns.listen} turns it on (UDP and TCP on one port). What a query gets is
 * {@link Responder}'s decision; how queries are admitted (sources, rate limit) is
 * {@link QueryHandler}'s; the sockets ({@link DnsSockets}) are handlers on an
 * {@link EventLoop} of their own, the same loop type the proxy runs its connections on.
 * Its own instance rather than one of the proxy's loops: the DNS server starts, stops and
 * rebinds with {@code dns.listen} on reload without touching live proxy connections, it
 * stops first at shutdown while the proxy drains, and its state (rate limiter, forwarded
 * queries, TCP clients) stays confined to one thread with no locks; its load (small
 * datagrams) does not need more than one core.
 *
 * <p>Each query reads the current config snapshot from the supplier, so a reload applies to
 * the next query; {@link #apply} only rebinds when {@code dns.listen} itself changed.
 *
 * <p>{@link #counters()} are the per-result counts for the metrics endpoint. With
 * {@code dns.audit = true} every query (except rate-limited ones) is one audit line:
 * {@code {"time", "kind":"dns", "level", "client", "transport", "name", "type", "rcode",
 * "result", "answer":[...]}} plus {@code rule}, {@code upstream} or {@code error} when known.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());
    /** The loop's pooled buffer size: DNS reads into buffers of its own, so the pool stays small. */
    private static final int LOOP_BUFFER = 4096;

    private final Supplier<Config> config;
    private final Consumer<String> audit;
    private final LongSupplier clock;
    private final DnsCounters counters = new DnsCounters();
    private final NicWatch nics;
    private EventLoop loop;
    private DnsSockets sockets;

    /**
     * @param config the current config snapshot (read for every query)
     * @param audit  where audit lines go when {@code dns.audit = true}; may be null
     */
    public DnsServer(Supplier<Config> config, AuditLog audit) {
        this(config, audit, NicWatch.none());
    }

    /** @param nics the addresses of the interfaces {@code dns.listen} and {@code dns.answer} may name */
    public DnsServer(Supplier<Config> config, AuditLog audit, NicWatch nics) {
        this(config, audit == null ? null : audit::writeLine, null, nics);
    }

    /** @param clock the loop's millisecond clock, null for the monotonic one (tests step their own) */
    DnsServer(Supplier<Config> config, Consumer<String> audit, LongSupplier clock) {
        this(config, audit, clock, NicWatch.none());
    }

    private DnsServer(Supplier<Config> config, Consumer<String> audit, LongSupplier clock, NicWatch nics) {
        this.config = Objects.requireNonNull(config);
        this.audit = audit;
        this.clock = clock;
        this.nics = nics;
        nics.onChange(m -> followInterface());
    }

    /** After the watcher listed the interfaces: a {@code dns.listen} by interface rebinds at the loop's next tick. */
    private synchronized void followInterface() {
        if (loop != null && sockets.listen().isUnresolved()) {
            sockets.rescanLater();
        }
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
        int attempts = listen.get().getPort() == 0 ? 5 : 1; // port 0: another try if a UDP port is taken
        for (int i = 1; ; i++) {
            try {
                EventLoop l = clock == null ? new EventLoop("lnm-dns", LOOP_BUFFER)
                        : new EventLoop("lnm-dns", LOOP_BUFFER, clock);
                sockets = DnsSockets.open(l, config, counters, audit, listen.get(), nics);
                loop = l;
                break;
            } catch (IOException | RuntimeException e) {
                if (i >= attempts) {
                    return List.of("dns.listen " + IpLiteral.format(listen.get()) + ": cannot bind: " + e.getMessage());
                }
            }
        }
        loop.start();
        if (!sockets.tcpAddresses().isEmpty()) {
            LOG.info("dns listening on tcp " + String.join(", ", sockets.tcpAddresses().stream().map(IpLiteral::format).toList())
                    + " and udp " + String.join(", ", sockets.udpAddresses().stream().map(IpLiteral::format).toList()));
        }
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
        if (loop != null && listen.isPresent() && listen.get().equals(sockets.listen())) {
            sockets.rescanLater();
            return List.of();
        }
        stop();
        return start();
    }

    /** Whether the server is running. */
    public synchronized boolean running() {
        return loop != null;
    }

    /**
     * The TCP listener's address (its port is the UDP sockets' port too), when running; the
     * first one's for {@code dns.listen} by interface, empty while the interface has none.
     */
    public synchronized Optional<InetSocketAddress> tcpAddress() {
        return loop == null ? Optional.empty() : Optional.ofNullable(sockets.tcpAddress());
    }

    /** Every TCP listener's address (one per address of an interface), when running. */
    public synchronized List<InetSocketAddress> tcpAddresses() {
        return loop == null ? List.of() : sockets.tcpAddresses();
    }

    /** The UDP sockets' addresses (one per local address for a wildcard), when running. */
    public synchronized List<InetSocketAddress> udpAddresses() {
        return loop == null ? List.of() : sockets.udpAddresses();
    }

    /** TCP clients connected now; 0 when not running. */
    synchronized int tcpConnections() {
        return loop == null ? 0 : sockets.tcpConnections();
    }

    /** Per-result query counts; live, readable from any thread. */
    public DnsCounters counters() {
        return counters;
    }

    private void stop() {
        if (loop == null) {
            return;
        }
        loop.execute(sockets::closeAll);
        loop.stop(); // closes the TCP clients, then ends the thread
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop = null;
        sockets = null;
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
