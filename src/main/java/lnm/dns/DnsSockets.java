package lnm.dns;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lnm.config.Config;
import lnm.config.IpLiteral;
import lnm.floor.EventLoop;

/**
 * The DNS server's sockets, each a handler on one {@link EventLoop}: the UDP sockets
 * ({@link UdpSocket}), the TCP listener ({@link TcpListener}) and its clients
 * ({@link TcpConnection}), and the forwarded queries' sockets ({@link Forwarder}), plus the
 * housekeeping the loop's tick runs. Everything here runs on that loop's thread, except
 * {@link #open} (before the loop starts) and the read-only accessors.
 *
 * <p>One listen address gives one TCP listener and one UDP socket; a wildcard address gives
 * one TCP listener on the wildcard and one UDP socket per local address of that family
 * ({@link LocalAddresses}), re-enumerated every {@value #RESCAN_SECONDS} s and on reload, so an
 * answer can name the address the client asked. All sockets share one port: with port 0
 * (tests), the TCP listener picks it and the UDP sockets follow.
 */
final class DnsSockets {
    private static final Logger LOG = Logger.getLogger(DnsSockets.class.getName());
    static final int RESCAN_SECONDS = 30;
    static final int MAX_RATE_CLIENTS = 100_000;
    private static final long SWEEP_MILLIS = 10_000;

    private final EventLoop loop;
    private final Supplier<Config> config;
    private final InetSocketAddress listen;
    private final TcpListener tcp;
    private final int port;
    private final QueryHandler handler;
    private final ByteBuffer scratch = ByteBuffer.allocate(65535);
    private final Map<InetAddress, UdpSocket> udp = new LinkedHashMap<>();
    private final Map<InetAddress, Responder.Local> locals = new HashMap<>();
    private final Set<InetAddress> bindFailures = new HashSet<>();
    private final Forwarder forwarder;
    private volatile List<InetSocketAddress> udpAddresses = List.of();
    private long nextRescan;
    private long nextSweep;
    private boolean rescanNow;

    private DnsSockets(EventLoop loop, Supplier<Config> config, DnsCounters counters, Consumer<String> audit,
                       InetSocketAddress listen, ServerSocketChannel tcp) {
        this.loop = loop;
        this.config = config;
        this.listen = listen;
        this.port = tcp.socket().getLocalPort();
        SecureRandom random = new SecureRandom();
        this.forwarder = new Forwarder(loop.selector(), loop::close, SourcePorts.system(random), random,
                counters.forwardMismatches, scratch);
        this.handler = new QueryHandler(config, counters, audit, () -> forwarder, this::local,
                () -> loop.now() * 1_000_000L, MAX_RATE_CLIENTS);
        this.tcp = new TcpListener(tcp, loop, config, handler, counters);
        long now = loop.now();
        this.nextRescan = now + RESCAN_SECONDS * 1000L;
        this.nextSweep = now + SWEEP_MILLIS;
    }

    /**
     * Binds the TCP listener and the UDP sockets and registers them with {@code loop}, which
     * must not be running yet; its tick then runs the housekeeping. On failure the loop's
     * selector is closed (the loop cannot be used any more) and every socket with it.
     *
     * @throws IOException with a message fit for the operator when the TCP listener or every
     *                     UDP socket fails to bind
     */
    static DnsSockets open(EventLoop loop, Supplier<Config> config, DnsCounters counters, Consumer<String> audit,
                           InetSocketAddress listen) throws IOException {
        ServerSocketChannel ch = null;
        DnsSockets s = null;
        try {
            ch = ServerSocketChannel.open(family(listen.getAddress()));
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(listen, 64);
            ch.configureBlocking(false);
            s = new DnsSockets(loop, config, counters, audit, listen, ch);
            ch.register(loop.selector(), SelectionKey.OP_ACCEPT, s.tcp);
            List<String> failed = s.bindUdp();
            if (s.udp.isEmpty()) {
                throw new BindException(failed.isEmpty() ? "no local addresses to bind" : String.join("; ", failed));
            }
            loop.everyTick(s::housekeeping);
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                loop.selector().close(); // deregisters every key, so the closes below are immediate
            } catch (IOException ignored) {
                // closing anyway
            }
            if (ch != null) {
                EventLoop.closeQuietly(ch);
            }
            if (s != null) {
                s.udp.values().forEach(u -> EventLoop.closeQuietly(u.channel));
            }
            throw e;
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
                UdpSocket u = new UdpSocket(ch, a, handler, scratch);
                ch.register(loop.selector(), SelectionKey.OP_READ, u);
                udp.put(a, u);
                bindFailures.remove(a);
            } catch (IOException e) {
                if (ch != null) {
                    ch.close();
                }
                String why = "udp " + IpLiteral.format(new InetSocketAddress(a, port)) + ": " + e.getMessage();
                failed.add(why);
                if (bindFailures.add(a)) {
                    LOG.warning("dns: cannot bind " + why);
                }
            }
        }
        for (InetAddress gone : new ArrayList<>(udp.keySet())) {
            if (!want.contains(gone)) {
                LOG.info("dns: address " + IpLiteral.format(gone) + " is gone; closing its UDP socket");
                loop.close(udp.remove(gone).channel);
            }
        }
        locals.clear();
        List<InetSocketAddress> addrs = new ArrayList<>();
        udp.keySet().forEach(a -> addrs.add(new InetSocketAddress(a, port)));
        udpAddresses = List.copyOf(addrs);
        return failed;
    }

    InetSocketAddress tcpAddress() {
        return new InetSocketAddress(tcp.channel.socket().getInetAddress(), port);
    }

    List<InetSocketAddress> udpAddresses() {
        return udpAddresses;
    }

    InetSocketAddress listen() {
        return listen;
    }

    /** TCP clients connected now (read from any thread). */
    int tcpConnections() {
        return tcp.clients();
    }

    /** Re-enumerates local addresses at the next tick (on reload); from any thread. */
    void rescanLater() {
        loop.execute(() -> rescanNow = true);
    }

    /** On every tick: forwarded queries' resends and deadlines, rate limiter sweep, address rescan. */
    private void housekeeping(long now) {
        if (forwarder.due() != Long.MAX_VALUE && now * 1_000_000L - forwarder.due() >= 0) {
            forwarder.tick(now * 1_000_000L);
        }
        if (now - nextSweep >= 0) {
            handler.limiter().sweep(config.get().dnsRateLimit(), now * 1_000_000L);
            nextSweep = now + SWEEP_MILLIS;
        }
        if (rescanNow || now - nextRescan >= 0) {
            rescanNow = false;
            nextRescan = now + RESCAN_SECONDS * 1000L;
            try {
                bindUdp();
            } catch (IOException e) {
                LOG.warning("dns: cannot list local addresses: " + e.getMessage());
            }
        }
    }

    private Responder.Local local(InetAddress a) {
        return locals.computeIfAbsent(a, LocalAddresses::answersFor);
    }

    /** Fails what is forwarded and closes every socket; TCP clients are closed by the loop's stop. */
    void closeAll() {
        forwarder.failAll("shutting down");
        for (UdpSocket u : udp.values()) {
            loop.close(u.channel);
        }
        udp.clear();
        loop.close(tcp.channel);
    }
}
