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
import lnm.config.InterfaceName;
import lnm.config.IpLiteral;
import lnm.floor.EventLoop;
import lnm.floor.NicWatch;
import lnm.floor.SourceCounter;

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
 * answer can name the address the client asked. A {@code dns.listen} naming an interface
 * ({@code eth1:53}) gives one TCP listener and one UDP socket per address of that interface,
 * opened and closed as {@link NicWatch} sees them come and go. All sockets share one port: with
 * port 0 (tests), the first TCP listener picks it and the other sockets follow.
 */
final class DnsSockets {
    private static final Logger LOG = Logger.getLogger(DnsSockets.class.getName());
    static final int RESCAN_SECONDS = 30;
    static final int MAX_RATE_CLIENTS = 100_000;
    private static final long SWEEP_MILLIS = 10_000;

    private final EventLoop loop;
    private final Supplier<Config> config;
    private final InetSocketAddress listen;
    /** The interface {@code dns.listen} names, or null when it names an address. */
    private final String nic;
    private final NicWatch nics;
    /** TCP listeners by address: the one of {@code dns.listen}, or one per address of its interface. */
    private final Map<InetAddress, TcpListener> tcp = new LinkedHashMap<>();
    /** The TCP clients of every listener, so the limits hold for the server as a whole. */
    private final SourceCounter tcpClients = new SourceCounter();
    /** The port every socket shares: the configured one, or the first TCP listener's with port 0. */
    private int port;
    private final QueryHandler handler;
    private final DnsCounters counters;
    private final ByteBuffer scratch = ByteBuffer.allocate(65535);
    private final Map<InetAddress, UdpSocket> udp = new LinkedHashMap<>();
    private final Map<InetAddress, Responder.Local> locals = new HashMap<>();
    private final Set<InetAddress> bindFailures = new HashSet<>();
    private final Forwarder forwarder;
    private volatile List<InetSocketAddress> udpAddresses = List.of();
    private volatile List<InetSocketAddress> tcpAddresses = List.of();
    private long nextRescan;
    private long nextSweep;
    private boolean rescanNow;
    /** Set once {@link #open} is done: binds after that are logged one by one. */
    private boolean opened;

    private DnsSockets(EventLoop loop, Supplier<Config> config, DnsCounters counters, Consumer<String> audit,
                       InetSocketAddress listen, NicWatch nics) {
        this.loop = loop;
        this.config = config;
        this.listen = listen;
        this.nic = InterfaceName.of(listen).orElse(null);
        this.nics = nics;
        this.port = listen.getPort();
        SecureRandom random = new SecureRandom();
        this.forwarder = new Forwarder(loop.selector(), loop::close, SourcePorts.system(random), random,
                counters.forwardMismatches, scratch);
        this.handler = new QueryHandler(config, counters, audit, () -> forwarder, this::local,
                () -> loop.now() * 1_000_000L, MAX_RATE_CLIENTS, nics::addresses);
        this.counters = counters;
        long now = loop.now();
        this.nextRescan = now + RESCAN_SECONDS * 1000L;
        this.nextSweep = now + SWEEP_MILLIS;
    }

    /**
     * Binds the TCP listener(s) and the UDP sockets and registers them with {@code loop}, which
     * must not be running yet; its tick then runs the housekeeping. On failure the loop's
     * selector is closed (the loop cannot be used any more) and every socket with it. With
     * {@code dns.listen} naming an interface that has no address yet, nothing is bound and the
     * sockets open when one appears.
     *
     * @param nics the addresses of the interface {@code dns.listen} or {@code dns.answer} may name
     * @throws IOException with a message fit for the operator when a TCP listener or every
     *                     UDP socket fails to bind
     */
    static DnsSockets open(EventLoop loop, Supplier<Config> config, DnsCounters counters, Consumer<String> audit,
                           InetSocketAddress listen, NicWatch nics) throws IOException {
        DnsSockets s = new DnsSockets(loop, config, counters, audit, listen, nics);
        try {
            // on an address the bind must work; on an interface, one address that cannot be
            // bound yet (IPv6 still in duplicate address detection) is retried later, and only
            // none at all (the port is taken) fails the start
            IOException tcpFailed = s.bindTcp(s.nic == null);
            if (s.nic != null && s.tcp.isEmpty() && tcpFailed != null) {
                throw tcpFailed;
            }
            List<String> failed = s.bindUdp();
            if (s.udp.isEmpty() && s.nic == null) {
                throw new BindException(failed.isEmpty() ? "no local addresses to bind" : String.join("; ", failed));
            }
            if (s.nic != null && s.tcp.isEmpty()) {
                LOG.info("dns waits for interface " + s.nic + " to have an address (it is missing, down or has none)");
            }
            loop.everyTick(s::housekeeping);
            s.opened = true;
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                loop.selector().close(); // deregisters every key, so the closes below are immediate
            } catch (IOException ignored) {
                // closing anyway
            }
            s.tcp.values().forEach(t -> EventLoop.closeQuietly(t.channel));
            s.udp.values().forEach(u -> EventLoop.closeQuietly(u.channel));
            throw e;
        }
    }

    /** The addresses to serve: the one of {@code dns.listen}, or its interface's now. */
    private List<InetAddress> wantTcp() {
        return nic != null ? nics.addresses(nic) : List.of(listen.getAddress());
    }

    /**
     * Binds a TCP listener for each wanted address that has none and closes those of addresses
     * the interface lost (their clients stay until they finish).
     *
     * @param strict throw on a failure (at start) instead of logging it once and retrying later
     * @return the first failure when not strict, else null
     */
    private IOException bindTcp(boolean strict) throws IOException {
        IOException first = null;
        List<InetAddress> want = wantTcp();
        for (InetAddress gone : new ArrayList<>(tcp.keySet())) {
            if (!want.contains(gone)) {
                LOG.info("dns: address " + IpLiteral.format(gone) + " left interface " + nic + "; closing its TCP listener");
                loop.close(tcp.remove(gone).channel);
            }
        }
        for (InetAddress a : want) {
            if (tcp.containsKey(a)) {
                continue;
            }
            ServerSocketChannel ch = null;
            try {
                ch = ServerSocketChannel.open(family(a));
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.bind(new InetSocketAddress(a, port), 64);
                ch.configureBlocking(false);
                if (port == 0) {
                    port = ch.socket().getLocalPort(); // the UDP sockets and other addresses follow
                }
                TcpListener t = new TcpListener(ch, loop, config, handler, counters, tcpClients);
                ch.register(loop.selector(), SelectionKey.OP_ACCEPT, t);
                tcp.put(a, t);
                bindFailures.remove(a);
                if (opened) {
                    LOG.info("dns listening on " + IpLiteral.format(new InetSocketAddress(a, port)) + " (interface " + nic + ")");
                }
            } catch (IOException e) {
                if (ch != null) {
                    EventLoop.closeQuietly(ch);
                }
                if (strict) {
                    throw e;
                }
                first = first == null ? e : first;
                if (bindFailures.add(a)) {
                    LOG.warning("dns: cannot bind tcp " + IpLiteral.format(new InetSocketAddress(a, port)) + ": " + e.getMessage());
                }
            }
        }
        List<InetSocketAddress> addrs = new ArrayList<>();
        tcp.values().forEach(t -> addrs.add(new InetSocketAddress(t.channel.socket().getInetAddress(), port)));
        tcpAddresses = List.copyOf(addrs);
        return first;
    }

    private static StandardProtocolFamily family(InetAddress a) {
        return a instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /** Binds UDP sockets for local addresses that have none and closes those of vanished ones. */
    private List<String> bindUdp() throws IOException {
        List<InetAddress> want = nic != null ? List.copyOf(tcp.keySet()) // the interface's, where TCP is bound too
                : listen.getAddress().isAnyLocalAddress() ? LocalAddresses.forWildcard(listen.getAddress()) : List.of(listen.getAddress());
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

    /** The first TCP listener's address, or null while an interface has none. */
    InetSocketAddress tcpAddress() {
        List<InetSocketAddress> l = tcpAddresses;
        return l.isEmpty() ? null : l.get(0);
    }

    /** Every TCP listener's address. */
    List<InetSocketAddress> tcpAddresses() {
        return tcpAddresses;
    }

    List<InetSocketAddress> udpAddresses() {
        return udpAddresses;
    }

    InetSocketAddress listen() {
        return listen;
    }

    /** TCP clients connected now (read from any thread). */
    int tcpConnections() {
        return tcpClients.total();
    }

    /** Re-enumerates local addresses at the next tick (on reload, an interface's change); from any thread. */
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
                if (nic != null) {
                    bindTcp(false);
                }
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
        tcp.values().forEach(t -> loop.close(t.channel));
        tcp.clear();
    }
}
