package lnm.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lnm.config.Config;
import lnm.config.IpLiteral;
import lnm.floor.EventLoop;
import lnm.floor.SourceCounter;
import lnm.floor.SourceKey;

/**
 * The DNS server's TCP listener, a handler on its event loop: admits a client (its source in
 * {@code dns.sources}, at most {@value #MAX_TCP} clients in all and {@value #MAX_TCP_PER_CLIENT}
 * per source: an address, or an IPv6 prefix of {@code limits.ipv6PrefixLength}, {@link SourceKey})
 * and registers a {@link TcpConnection} for it; anything else is closed at once.
 */
final class TcpListener implements EventLoop.Ready {
    private static final Logger LOG = Logger.getLogger(TcpListener.class.getName());
    static final int MAX_TCP = 256;
    static final int MAX_TCP_PER_CLIENT = 16;
    private static final int BATCH = 64;

    final ServerSocketChannel channel;
    private final EventLoop loop;
    private final Supplier<Config> config;
    private final QueryHandler handler;
    private final DnsCounters counters;
    private final SourceCounter clients;

    TcpListener(ServerSocketChannel channel, EventLoop loop, Supplier<Config> config, QueryHandler handler,
                DnsCounters counters) {
        this(channel, loop, config, handler, counters, new SourceCounter());
    }

    /** @param clients the client counts, shared by the listeners of one server (one per address of an interface) */
    TcpListener(ServerSocketChannel channel, EventLoop loop, Supplier<Config> config, QueryHandler handler,
                DnsCounters counters, SourceCounter clients) {
        this.clients = clients;
        this.channel = channel;
        this.loop = loop;
        this.config = config;
        this.handler = handler;
        this.counters = counters;
    }

    /** TCP clients connected now (read from any thread). */
    int clients() {
        return clients.total();
    }

    @Override
    public void onReady(SelectionKey key) throws IOException {
        for (int i = 0; i < BATCH; i++) {
            SocketChannel ch = channel.accept();
            if (ch == null) {
                return;
            }
            try {
                admit(ch);
            } catch (IOException e) {
                EventLoop.closeQuietly(ch); // the client went away while being admitted
            }
        }
    }

    @Override
    public void onFailure(Throwable t) {
        if (!(t instanceof IOException)) {
            LOG.warning("dns: unexpected failure accepting a tcp client: " + t);
        }
    }

    private void admit(SocketChannel ch) throws IOException {
        InetSocketAddress client = (InetSocketAddress) ch.getRemoteAddress();
        InetAddress ip = IpLiteral.unmapped(client.getAddress());
        if (!config.get().dnsSources().contains(ip)) {
            counters.count(DnsResult.SOURCE_DENIED);
            ch.close();
            return;
        }
        InetAddress source = SourceKey.of(ip, config.get().ipv6PrefixLength()); // kept for the release: a reload may change the prefix
        if (clients.acquire(source, MAX_TCP, MAX_TCP_PER_CLIENT) != SourceCounter.Verdict.ADMITTED) {
            ch.close();
            return;
        }
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            InetAddress local = IpLiteral.unmapped(((InetSocketAddress) ch.getLocalAddress()).getAddress());
            TcpConnection c = new TcpConnection(ch, client, local, handler, counters, loop::now, done -> closed(done, source));
            SelectionKey key = ch.register(loop.selector(), SelectionKey.OP_READ, c);
            loop.add(c);
            c.register(key);
        } catch (IOException | RuntimeException e) {
            clients.release(source);
            throw e;
        }
    }

    /** A connection has closed: it leaves the loop and the counts ({@code source}: the key it was counted under). */
    private void closed(TcpConnection c, InetAddress source) {
        loop.remove(c);
        loop.close(c.channel);
        clients.release(source);
        if (c.closeReason().deadline()) {
            counters.tcpDeadlines.increment();
        }
    }
}
