package lnmbench;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The floor of a Java NIO relay, for `make bench-core`'s "floor" target: the least work a
 * single-threaded, selector-based Java 17 relay must do per proxied TLS connection, and
 * nothing more. It accepts without blocking, reads the client's first TLS record completely
 * (the 5-byte header, then as many bytes as the header's length says; the SNI is not parsed),
 * connects without blocking to one fixed upstream, writes that record to it, then relays both
 * ways through one direct buffer per direction and closes both sides as soon as either ends
 * (or fails). No logging, no audit, no limits, no timers: what lnm costs above this program is
 * what its features and its structure cost.
 *
 * <p>It takes the cheapest path the JDK's NIO offers, so that the floor is not raised by
 * avoidable calls: IPv4 sockets for IPv4 addresses (a dual-stack socket costs an
 * {@code IPV6_V6ONLY} setsockopt); the client's read interest stays on while the upstream is
 * dialled (no epoll_ctl to turn it off and on); a finished connection's keys are cancelled and
 * its channels closed only after the next select has deregistered them (closing a registered
 * channel makes the JDK read {@code SO_LINGER} and {@code shutdown} the socket first). Like lnm
 * and nginx it sets TCP_NODELAY on both sockets, reuses its direct buffers (a bounded free
 * list), and dispatches with {@link Selector#select(java.util.function.Consumer, long)}, which
 * allocates no iterator per wake-up.
 *
 * <p>Usage: {@code java -cp CLASSES lnmbench.BareRelay PORT UPSTREAM_HOST:PORT} (listens on
 * 127.0.0.1:PORT). Benchmark code only: it trusts its configuration and bounds only what a
 * client sends (the first record's length and the buffer pool).
 */
public final class BareRelay {
    /** One direction's buffer: a TLS record's largest body (2^14) plus its header, rounded up. */
    static final int BUFFER_SIZE = 16 * 1024 + 512;
    /** Free buffers kept for reuse; more are garbage once returned. */
    static final int POOL_MAX = 4096;
    /** Connections taken from the accept queue per wake-up, so that reads are not starved. */
    static final int ACCEPTS_PER_WAKEUP = 64;
    static final int TLS_HANDSHAKE = 22;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress upstream;
    private final ProtocolFamily upstreamFamily;
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    /** connections ended since the last select: their keys are cancelled, their channels still open */
    private ArrayList<Conn> ended = new ArrayList<>();
    /** the list the select before last filled, whose keys that select has deregistered */
    private ArrayList<Conn> closing = new ArrayList<>();

    BareRelay(int port, InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.upstreamFamily = upstream.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, null);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BareRelay PORT UPSTREAM_HOST:PORT");
            System.exit(2);
        }
        int colon = args[1].lastIndexOf(':');
        InetSocketAddress up = colon < 0
                ? new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]))
                : new InetSocketAddress(args[1].substring(0, colon), Integer.parseInt(args[1].substring(colon + 1)));
        new BareRelay(Integer.parseInt(args[0]), up).run();
    }

    /**
     * Runs until the process is killed (the bench's trap sends SIGTERM). A select deregisters
     * the keys cancelled before it, so the connections that ended before it can be closed after
     * it as plain sockets; while some wait for that, the select waits at most 10 ms.
     */
    void run() throws IOException {
        while (true) {
            ArrayList<Conn> swap = closing;
            closing = ended;
            ended = swap;
            selector.select(this::dispatch, closing.isEmpty() ? 0 : 10);
            for (int i = 0; i < closing.size(); i++) {
                closing.get(i).release();
            }
            closing.clear();
        }
    }

    private void dispatch(SelectionKey key) {
        Object att = key.attachment();
        if (att == null) {
            accept();
            return;
        }
        Conn c = (Conn) att;
        try {
            if (!key.isValid()) {
                return;
            }
            if (key == c.clientKey) {
                c.clientReady(key.readyOps());
            } else {
                c.upstreamReady(key.readyOps());
            }
        } catch (IOException | RuntimeException e) {
            c.close();
        }
    }

    private void accept() {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return;   // e.g. out of file descriptors: try again at the next wake-up
            }
            if (ch == null) {
                return;
            }
            Conn c = new Conn(ch);
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.clientKey = ch.register(selector, SelectionKey.OP_READ, c);
            } catch (IOException e) {
                c.close();
            }
        }
    }

    private ByteBuffer take() {
        ByteBuffer b = pool.pollFirst();
        return b != null ? b : ByteBuffer.allocateDirect(BUFFER_SIZE);
    }

    private void give(ByteBuffer b) {
        if (b != null && pool.size() < POOL_MAX) {
            b.clear();
            pool.addFirst(b);
        }
    }

    /**
     * One proxied connection. Both buffers stay in "filling" state between events: position =
     * the end of the bytes not yet written to the other side.
     */
    private final class Conn {
        final SocketChannel client;
        SocketChannel up;
        SelectionKey clientKey;
        SelectionKey upKey;
        /** client to upstream: first the hello record, then the relayed bytes */
        ByteBuffer toUp;
        /** upstream to client; taken once the upstream is connected */
        ByteBuffer toClient;
        boolean dialing;
        boolean relaying;
        boolean closed;

        Conn(SocketChannel client) {
            this.client = client;
            this.toUp = take();
        }

        void clientReady(int ops) throws IOException {
            if (!relaying) {
                if (dialing) {
                    readWhileDialing();
                } else {
                    readHello();
                }
                return;
            }
            if ((ops & SelectionKey.OP_WRITE) != 0 && !flush(toClient, client)) {
                return;
            }
            if ((ops & SelectionKey.OP_READ) != 0 && !pump(client, toUp, up)) {
                return;
            }
            interests();
        }

        void upstreamReady(int ops) throws IOException {
            if (!relaying) {
                if (!up.finishConnect()) {
                    return;
                }
                connected();
                return;
            }
            if ((ops & SelectionKey.OP_WRITE) != 0 && !flush(toUp, up)) {
                return;
            }
            if ((ops & SelectionKey.OP_READ) != 0 && !pump(up, toClient, client)) {
                return;
            }
            interests();
        }

        /** Reads until the first record is complete, then dials the upstream. */
        private void readHello() throws IOException {
            if (client.read(toUp) < 0) {
                close();
                return;
            }
            int have = toUp.position();
            if (have < 5) {
                return;
            }
            int len = ((toUp.get(3) & 0xff) << 8) | (toUp.get(4) & 0xff);
            if (toUp.get(0) != TLS_HANDSHAKE || len > BUFFER_SIZE - 5) {
                close();   // not a TLS handshake record, or longer than one record may be
                return;
            }
            if (have < 5 + len) {
                return;
            }
            dialing = true;
            up = SocketChannel.open(upstreamFamily);
            up.configureBlocking(false);
            up.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (up.connect(upstream)) {
                upKey = up.register(selector, 0, this);
                connected();
            } else {
                upKey = up.register(selector, SelectionKey.OP_CONNECT, this);
            }
        }

        /** The client's read interest stays on while dialling: more bytes join the hello's. */
        private void readWhileDialing() throws IOException {
            if (client.read(toUp) < 0) {
                close();
            } else if (!toUp.hasRemaining()) {
                clientKey.interestOps(0);   // full: the rest waits in the kernel until relaying
            }
        }

        /** Sends the hello (and whatever followed it) and starts relaying. */
        private void connected() throws IOException {
            relaying = true;
            toClient = take();
            if (flush(toUp, up)) {
                interests();
            }
        }

        /** One read from src, then as much of buf as dst takes; false when closed. */
        private boolean pump(SocketChannel src, ByteBuffer buf, SocketChannel dst) throws IOException {
            if (src.read(buf) < 0) {
                close();
                return false;
            }
            return flush(buf, dst);
        }

        /** Writes what buf holds to dst, keeping the rest; false when closed. */
        private boolean flush(ByteBuffer buf, SocketChannel dst) throws IOException {
            if (buf.position() == 0) {
                return true;
            }
            buf.flip();
            dst.write(buf);
            buf.compact();
            return !closed;
        }

        /** Each side reads while its outgoing buffer has room and waits to write while the other's holds bytes. */
        private void interests() {
            if (closed) {
                return;
            }
            int c = (toUp.hasRemaining() ? SelectionKey.OP_READ : 0) | (toClient.position() > 0 ? SelectionKey.OP_WRITE : 0);
            int u = (toClient.hasRemaining() ? SelectionKey.OP_READ : 0) | (toUp.position() > 0 ? SelectionKey.OP_WRITE : 0);
            if (clientKey.interestOps() != c) {
                clientKey.interestOps(c);
            }
            if (upKey.interestOps() != u) {
                upKey.interestOps(u);
            }
        }

        /** Ends the connection: cancels its keys now, closes its channels after the next select. */
        void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (clientKey == null && upKey == null) {
                release();
                return;
            }
            if (clientKey != null) {
                clientKey.cancel();
            }
            if (upKey != null) {
                upKey.cancel();
            }
            ended.add(this);
        }

        /** Closes both channels and returns the buffers (no key of this connection is registered now). */
        void release() {
            quietly(client);
            quietly(up);
            give(toUp);
            give(toClient);
            toUp = null;
            toClient = null;
        }

        private void quietly(SocketChannel ch) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // closing: nothing left to do with it
                }
            }
        }
    }
}
