package lnm.dns;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lnm.config.Config;

/**
 * The DNS server's own selector thread: UDP sockets, the TCP listener and its connections,
 * and the forwarding socket. Never runs on (or blocks) the proxy's loops. Other threads reach
 * it only through {@link #execute} plus {@code wakeup()}.
 *
 * <p>One listen address gives one TCP listener and one UDP socket; a wildcard address gives
 * one TCP listener on the wildcard and one UDP socket per local address of that family
 * ({@link LocalAddresses}), re-enumerated every {@value #RESCAN_SECONDS} s and on reload, so an
 * answer can name the address the client asked. All sockets share one port: with port 0
 * (tests), the TCP listener picks it and the UDP sockets follow.
 */
final class DnsLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(DnsLoop.class.getName());
    static final int RESCAN_SECONDS = 30;
    static final int MAX_TCP = 256;
    static final int MAX_TCP_PER_CLIENT = 16;
    static final int MAX_RATE_CLIENTS = 100_000;
    private static final long SECOND = 1_000_000_000L;

    /** A UDP socket bound to one local address. */
    private record Udp(DatagramChannel channel, InetAddress local) {}

    private final Supplier<Config> config;
    private final DnsCounters counters;
    private final InetSocketAddress listen;
    private final Selector selector;
    private final ServerSocketChannel tcp;
    private final int port;
    private final Map<InetAddress, Udp> udp = new LinkedHashMap<>();
    private final Set<TcpConnection> connections = new HashSet<>();
    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private final Map<InetAddress, Responder.Local> locals = new HashMap<>();
    private final Set<InetAddress> bindFailures = new HashSet<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(65535);
    private final QueryHandler handler;
    private Forwarder forwarder;
    private volatile boolean stopping;
    private volatile List<InetSocketAddress> udpAddresses = List.of();
    private long nextRescan;
    private boolean rescanNow;
    private long nextSweep;

    private DnsLoop(Supplier<Config> config, DnsCounters counters, Consumer<String> audit, InetSocketAddress listen,
                    Selector selector, ServerSocketChannel tcp) {
        this.config = config;
        this.counters = counters;
        this.listen = listen;
        this.selector = selector;
        this.tcp = tcp;
        this.port = tcp.socket().getLocalPort();
        this.handler = new QueryHandler(config, counters, audit, this::forwarder, this::local, System::nanoTime,
                MAX_RATE_CLIENTS);
    }

    /**
     * Binds the TCP listener and the UDP sockets.
     *
     * @throws IOException with a message fit for the operator when the TCP listener or every
     *                     UDP socket fails to bind
     */
    static DnsLoop open(Supplier<Config> config, DnsCounters counters, Consumer<String> audit, InetSocketAddress listen)
            throws IOException {
        int attempts = listen.getPort() == 0 ? 5 : 1; // port 0: another try if a UDP port is taken
        for (int i = 1; ; i++) {
            Selector selector = Selector.open();
            ServerSocketChannel tcp = null;
            try {
                tcp = ServerSocketChannel.open(family(listen.getAddress()));
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(listen, 64);
                tcp.configureBlocking(false);
                tcp.register(selector, SelectionKey.OP_ACCEPT);
                DnsLoop loop = new DnsLoop(config, counters, audit, listen, selector, tcp);
                List<String> failed = loop.bindUdp();
                if (loop.udp.isEmpty()) {
                    throw new BindException(failed.isEmpty() ? "no local addresses to bind" : String.join("; ", failed));
                }
                return loop;
            } catch (IOException | RuntimeException e) {
                if (tcp != null) {
                    tcp.close();
                }
                selector.close();
                if (i >= attempts) {
                    throw e;
                }
            }
        }
    }

    private static StandardProtocolFamily family(InetAddress a) {
        return a instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /** Binds UDP sockets for local addresses that have none and closes those of vanished ones. */
    private List<String> bindUdp() throws IOException {
        List<InetAddress> want = listen.getAddress().isAnyLocalAddress()
                ? LocalAddresses.forWildcard(listen.getAddress()) : List.of(listen.getAddress());
        List<String> failed = new ArrayList<>();
        for (InetAddress a : want) {
            if (udp.containsKey(a)) {
                continue;
            }
            DatagramChannel ch = null;
            try {
                ch = DatagramChannel.open(family(a));
                ch.bind(new InetSocketAddress(a, port));
                ch.configureBlocking(false);
                Udp u = new Udp(ch, a);
                ch.register(selector, SelectionKey.OP_READ, u);
                udp.put(a, u);
                bindFailures.remove(a);
            } catch (IOException e) {
                if (ch != null) {
                    ch.close();
                }
                String why = "udp " + LocalAddresses.format(new InetSocketAddress(a, port)) + ": " + e.getMessage();
                failed.add(why);
                if (bindFailures.add(a)) {
                    LOG.warning("dns: cannot bind " + why);
                }
            }
        }
        for (InetAddress gone : new ArrayList<>(udp.keySet())) {
            if (!want.contains(gone)) {
                LOG.info("dns: address " + LocalAddresses.text(gone) + " is gone; closing its UDP socket");
                udp.remove(gone).channel().close();
            }
        }
        locals.clear();
        List<InetSocketAddress> addrs = new ArrayList<>();
        udp.keySet().forEach(a -> addrs.add(new InetSocketAddress(a, port)));
        udpAddresses = List.copyOf(addrs);
        return failed;
    }

    InetSocketAddress tcpAddress() {
        return new InetSocketAddress(tcp.socket().getInetAddress(), port);
    }

    List<InetSocketAddress> udpAddresses() {
        return udpAddresses;
    }

    InetSocketAddress listen() {
        return listen;
    }

    /** Runs {@code r} on the DNS thread. */
    void execute(Runnable r) {
        tasks.add(r);
        selector.wakeup();
    }

    /** Re-enumerates local addresses (on reload). */
    void rescanLater() {
        execute(() -> rescanNow = true);
    }

    void stop() {
        stopping = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        nextRescan = now + RESCAN_SECONDS * SECOND;
        nextSweep = now + 10 * SECOND;
        long nextHousekeeping = now + SECOND;
        try {
            while (!stopping) {
                long due = Math.min(nextHousekeeping, forwarder == null ? Long.MAX_VALUE : forwarder.due());
                long waitMillis = (due - System.nanoTime()) / 1_000_000;
                if (waitMillis > 0) {
                    selector.select(Math.min(1000, waitMillis));
                } else {
                    selector.selectNow();
                }
                for (Runnable t; (t = tasks.poll()) != null; ) {
                    t.run();
                }
                now = System.nanoTime();
                for (SelectionKey k : selector.selectedKeys()) {
                    dispatch(k, now);
                }
                selector.selectedKeys().clear();
                now = System.nanoTime();
                if (forwarder != null && forwarder.due() != Long.MAX_VALUE && now - forwarder.due() >= 0) {
                    forwarder.tick(now);
                }
                if (now - nextHousekeeping >= 0 || rescanNow) {
                    housekeeping(now);
                    nextHousekeeping = now + SECOND;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.severe("dns: server loop failed, DNS is down: " + e);
        } finally {
            closeAll();
        }
    }

    private void dispatch(SelectionKey k, long now) {
        Object a = k.attachment();
        try {
            if (!k.isValid()) {
                return;
            }
            if (a instanceof Udp u) {
                receive(u);
            } else if (a instanceof TcpConnection c) {
                if (k.isReadable()) {
                    c.readable(now);
                }
                if (!c.closed() && k.isValid() && k.isWritable()) {
                    c.writable(now);
                }
                if (c.closed()) {
                    forget(c);
                }
            } else if (a instanceof Forwarder f) {
                f.receive(scratch);
            } else {
                accept(now);
            }
        } catch (IOException | RuntimeException e) {
            // Each key fails alone: a TCP client is closed, a UDP socket just loses this datagram.
            if (a instanceof TcpConnection c) {
                c.close();
                forget(c);
            } else if (!(e instanceof IOException)) {
                LOG.warning("dns: unexpected failure: " + e);
            }
        }
    }

    private void receive(Udp u) throws IOException {
        for (int i = 0; i < 64; i++) {
            scratch.clear();
            SocketAddress from = u.channel().receive(scratch);
            if (from == null) {
                return;
            }
            scratch.flip();
            InetSocketAddress client = (InetSocketAddress) from;
            handler.handle(scratch, client, u.local(), "udp", response -> {
                try {
                    u.channel().send(ByteBuffer.wrap(response), client);
                } catch (IOException e) {
                    // UDP is lossy anyway; the client retries
                }
            });
        }
    }

    private void accept(long now) throws IOException {
        for (int i = 0; i < 64; i++) {
            SocketChannel ch = tcp.accept();
            if (ch == null) {
                return;
            }
            try {
                admit(ch, now);
            } catch (IOException e) {
                ch.close(); // the client went away while being admitted
            }
        }
    }

    private void admit(SocketChannel ch, long now) throws IOException {
        InetSocketAddress client = (InetSocketAddress) ch.getRemoteAddress();
        InetAddress ip = LocalAddresses.unmapped(client.getAddress());
        if (!config.get().dnsSources().contains(ip)) {
            counters.count(DnsResult.SOURCE_DENIED);
            ch.close();
            return;
        }
        int mine = perClient.getOrDefault(ip, 0);
        if (connections.size() >= MAX_TCP || mine >= MAX_TCP_PER_CLIENT) {
            ch.close();
            return;
        }
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        InetAddress local = ((InetSocketAddress) ch.getLocalAddress()).getAddress();
        TcpConnection c = new TcpConnection(ch, client, LocalAddresses.unmapped(local), handler, counters, now);
        c.register(ch.register(selector, SelectionKey.OP_READ, c));
        connections.add(c);
        perClient.put(ip, mine + 1);
    }

    private void forget(TcpConnection c) {
        if (connections.remove(c)) {
            perClient.computeIfPresent(LocalAddresses.unmapped(c.client.getAddress()), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Once a second: idle TCP clients, rate limiter sweep, address rescan. */
    private void housekeeping(long now) {
        for (TcpConnection c : new ArrayList<>(connections)) {
            c.checkIdle(now);
            if (c.closed()) {
                forget(c);
            }
        }
        if (now - nextSweep >= 0) {
            handler.limiter().sweep(config.get().dnsRateLimit(), now);
            nextSweep = now + 10 * SECOND;
        }
        if (rescanNow || now - nextRescan >= 0) {
            rescanNow = false;
            nextRescan = now + RESCAN_SECONDS * SECOND;
            try {
                bindUdp();
            } catch (IOException e) {
                LOG.warning("dns: cannot list local addresses: " + e.getMessage());
            }
        }
    }

    /** The forwarding socket, opened on first use (on this thread); null if it cannot be. */
    private Forwarder forwarder() {
        if (forwarder == null) {
            try {
                DatagramChannel ch = DatagramChannel.open();
                ch.bind(null);
                ch.configureBlocking(false);
                forwarder = new Forwarder(ch);
                ch.register(selector, SelectionKey.OP_READ, forwarder);
            } catch (IOException e) {
                LOG.warning("dns: cannot open the socket for dns.upstream: " + e.getMessage());
                return null;
            }
        }
        return forwarder;
    }

    private Responder.Local local(InetAddress a) {
        return locals.computeIfAbsent(a, LocalAddresses::answersFor);
    }

    int tcpConnections() {
        return connections.size();
    }

    private void closeAll() {
        if (forwarder != null) {
            forwarder.failAll("shutting down");
            forwarder.close();
        }
        for (TcpConnection c : connections) {
            c.close();
        }
        connections.clear();
        for (Udp u : udp.values()) {
            try {
                u.channel().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            tcp.close();
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
