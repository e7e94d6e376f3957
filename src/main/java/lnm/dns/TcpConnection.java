package lnm.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import lnm.config.IpLiteral;
import lnm.floor.ConnectionInfo;
import lnm.floor.EventLoop;
import lnm.wire.BigEndian;
import lnm.wire.ParseResult;

/**
 * One DNS-over-TCP client (RFC 7766): 2-byte length framed queries in, framed answers out,
 * pipelining allowed, a handler on the DNS server's event loop.
 *
 * <p>Bounded: a query may be at most {@value #MAX_QUERY} bytes (more closes the connection),
 * at most {@value #MAX_OUT} bytes of answers and {@value #MAX_WAITING} forwarded queries may be
 * outstanding before it stops reading (the interest ops are recomputed from that state after
 * every event, which is the backpressure), and the input buffer is only held while a partial
 * query is in it.
 *
 * <p>Deadlines are absolute, so a client that dribbles a byte now and then cannot hold one of
 * the few TCP slots: once the connection waits for a query (after the accept, after a query
 * arrived whole, and when everything asked has been answered), that query must be complete
 * within {@value #QUERY_MILLIS} ms, however its bytes trickle in; and no connection lives
 * longer than {@value #CONNECTION_MILLIS} ms from its accept.
 */
final class TcpConnection implements EventLoop.Handler {
    static final int MAX_QUERY = 4096;
    static final int MAX_OUT = 64 * 1024;
    static final int MAX_WAITING = 16;
    static final long QUERY_MILLIS = 10_000;
    static final long CONNECTION_MILLIS = 30_000;
    private static final int FIRST_BUFFER = 512;

    /** Why a connection closed. */
    enum Close {
        OPEN("open"),
        /** The client finished sending and every answer went out. */
        DONE("done"),
        /** A query was not complete in time. */
        QUERY_DEADLINE("query_deadline"),
        /** The connection reached its absolute lifetime. */
        CONNECTION_DEADLINE("connection_deadline"),
        /** A zero-length or oversized frame. */
        MALFORMED("malformed"),
        /** A read or write failed (the client reset it, most likely). */
        ERROR("error"),
        /** The DNS server stopped. */
        SHUTDOWN("shutdown");

        final String label;

        Close(String label) {
            this.label = label;
        }

        boolean deadline() {
            return this == QUERY_DEADLINE || this == CONNECTION_DEADLINE;
        }
    }

    final SocketChannel channel;
    final InetSocketAddress client;
    final InetAddress local;
    private final QueryHandler handler;
    private final DnsCounters counters;
    private final LongSupplier clock;
    private final Consumer<TcpConnection> onClose;
    private final long acceptedAt;
    private SelectionKey key;
    private ByteBuffer in; // write mode; null while no bytes are held
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private int outBytes;
    private int waiting;
    private boolean inputDone;
    private Close closed = Close.OPEN;
    /** When the connection began waiting for the query it is reading now. */
    private long waitingSince;

    /**
     * @param clock   milliseconds, monotonic (the loop's)
     * @param onClose told once when the connection closes (it then owns closing the channel);
     *                null closes the channel here
     */
    TcpConnection(SocketChannel channel, InetSocketAddress client, InetAddress local, QueryHandler handler,
                  DnsCounters counters, LongSupplier clock, Consumer<TcpConnection> onClose) {
        this.channel = channel;
        this.client = client;
        this.local = local;
        this.handler = handler;
        this.counters = counters;
        this.clock = clock;
        this.onClose = onClose;
        this.acceptedAt = clock.getAsLong();
        this.waitingSince = acceptedAt;
    }

    void register(SelectionKey k) {
        this.key = k;
        update();
    }

    boolean closed() {
        return closed != Close.OPEN;
    }

    Close closeReason() {
        return closed;
    }

    @Override
    public void onReady(SelectionKey k) throws IOException {
        if (k.isReadable()) {
            readable();
        }
        if (!closed() && k.isValid() && k.isWritable()) {
            writable();
        }
    }

    @Override
    public void onFailure(Throwable t) {
        close(Close.ERROR);
    }

    /** Closes the connection at its query or connection deadline. */
    @Override
    public void onTick(long now) {
        if (closed()) {
            return;
        }
        if (now - acceptedAt >= CONNECTION_MILLIS) {
            close(Close.CONNECTION_DEADLINE);
        } else if (waiting == 0 && out.isEmpty() && now - waitingSince >= QUERY_MILLIS) {
            close(Close.QUERY_DEADLINE);
        }
    }

    @Override
    public void abort(String why) {
        close(Close.SHUTDOWN);
    }

    @Override
    public ConnectionInfo info(long now) {
        return new ConnectionInfo("dns", IpLiteral.format(client), null, null, in == null ? "waiting" : "reading",
                null, 0, 0, now - acceptedAt);
    }

    /** Reads what has arrived and handles every complete query it can. */
    void readable() throws IOException {
        if (in == null) {
            in = ByteBuffer.allocate(FIRST_BUFFER);
        }
        if (channel.read(in) < 0) {
            inputDone = true;
        }
        process();
        update();
    }

    /** Handles the complete queries held, as long as there is room for their answers. */
    private void process() {
        while (!closed() && in != null && outBytes < MAX_OUT && waiting < MAX_WAITING) {
            in.flip();
            ParseResult<Integer> f = DnsParser.frame(in, MAX_QUERY);
            if (f instanceof ParseResult.Invalid<Integer>) {
                counters.count(DnsResult.MALFORMED);
                close(Close.MALFORMED);
                return;
            }
            if (f instanceof ParseResult.Parsed<Integer> p) {
                ByteBuffer msg = in.duplicate();
                msg.position(in.position() + 2).limit(in.position() + 2 + p.value());
                in.position(in.position() + p.consumed());
                waitingSince = clock.getAsLong(); // the next query's time starts now
                boolean[] during = {true};
                boolean later = handler.handle(msg, client, local, QueryHandler.TCP, response -> deliver(response, !during[0]));
                during[0] = false;
                if (later) {
                    waiting++;
                }
                in.compact();
                continue;
            }
            // Need more: make room for the whole frame, then wait for it.
            int need = in.remaining() >= 2 ? 2 + BigEndian.u16(in, in.position()) : 2;
            in.compact();
            if (need > in.capacity()) {
                ByteBuffer bigger = ByteBuffer.allocate(need);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            break;
        }
        if (in != null && in.position() == 0) {
            in = null; // nothing held: an idle connection keeps no buffer
        }
    }

    /** Queues an answer; {@code async} when it is a forwarded query's, arriving after the handler returned. */
    private void deliver(byte[] response, boolean async) {
        if (closed()) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(2 + response.length);
        b.putShort((short) response.length).put(response).flip();
        out.add(b);
        outBytes += b.remaining();
        if (async) {
            waiting = Math.max(0, waiting - 1);
            process();
            update();
        }
    }

    void writable() throws IOException {
        boolean sent = false;
        while (!out.isEmpty()) {
            ByteBuffer b = out.peek();
            int n = channel.write(b);
            outBytes -= Math.max(0, n);
            if (b.hasRemaining()) {
                break;
            }
            out.poll();
            sent = true;
        }
        if (sent && out.isEmpty() && waiting == 0) {
            waitingSince = clock.getAsLong(); // all answered: the client's turn again
        }
        process(); // queries held back while the answers were piling up
        update();
    }

    /** Interest ops from buffer state; closes once input is done and everything is answered. */
    void update() {
        if (closed()) {
            return;
        }
        if (inputDone && out.isEmpty() && waiting == 0) {
            close(Close.DONE);
            return;
        }
        if (key == null) {
            return; // not registered yet
        }
        int ops = 0;
        if (!inputDone && outBytes < MAX_OUT && waiting < MAX_WAITING) {
            ops |= SelectionKey.OP_READ;
        }
        if (!out.isEmpty()) {
            ops |= SelectionKey.OP_WRITE;
        }
        key.interestOps(ops);
    }

    void close(Close why) {
        if (closed()) {
            return;
        }
        closed = why;
        in = null;
        out.clear();
        if (onClose != null) {
            onClose.accept(this);
            return;
        }
        if (key != null) {
            key.cancel();
        }
        EventLoop.closeQuietly(channel);
    }
}
