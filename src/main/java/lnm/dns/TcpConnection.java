package lnm.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import lnm.wire.ParseResult;

/**
 * One DNS-over-TCP client (RFC 7766): 2-byte length framed queries in, framed answers out,
 * pipelining allowed, on the DNS thread.
 *
 * <p>Bounded: a query may be at most {@value #MAX_QUERY} bytes (more closes the connection),
 * at most {@value #MAX_OUT} bytes of answers and {@value #MAX_WAITING} forwarded queries may be
 * outstanding before it stops reading (the interest ops are recomputed from that state after
 * every event, which is the backpressure), and the input buffer is only held while a partial
 * query is in it. A connection with nothing to do for {@value #IDLE_MILLIS} ms is closed.
 */
final class TcpConnection {
    static final int MAX_QUERY = 4096;
    static final int MAX_OUT = 64 * 1024;
    static final int MAX_WAITING = 16;
    static final long IDLE_MILLIS = 10_000;
    private static final int FIRST_BUFFER = 512;

    final SocketChannel channel;
    final InetSocketAddress client;
    final InetAddress local;
    private final QueryHandler handler;
    private final DnsCounters counters;
    private SelectionKey key;
    private ByteBuffer in; // write mode; null while no bytes are held
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private int outBytes;
    private int waiting;
    private boolean inputDone;
    private boolean closed;
    private long lastActive;

    TcpConnection(SocketChannel channel, InetSocketAddress client, InetAddress local, QueryHandler handler,
                  DnsCounters counters, long now) {
        this.channel = channel;
        this.client = client;
        this.local = local;
        this.handler = handler;
        this.counters = counters;
        this.lastActive = now;
    }

    void register(SelectionKey k) {
        this.key = k;
        update();
    }

    boolean closed() {
        return closed;
    }

    /** Reads what has arrived and handles every complete query it can. */
    void readable(long now) throws IOException {
        if (in == null) {
            in = ByteBuffer.allocate(FIRST_BUFFER);
        }
        int n = channel.read(in);
        if (n < 0) {
            inputDone = true;
        } else if (n > 0) {
            lastActive = now;
        }
        process();
        update();
    }

    /** Handles the complete queries held, as long as there is room for their answers. */
    private void process() {
        while (!closed && in != null && outBytes < MAX_OUT && waiting < MAX_WAITING) {
            in.flip();
            ParseResult<Integer> f = DnsParser.frame(in, MAX_QUERY);
            if (f instanceof ParseResult.Invalid<Integer>) {
                counters.count(DnsResult.MALFORMED);
                close();
                return;
            }
            if (f instanceof ParseResult.Parsed<Integer> p) {
                ByteBuffer msg = in.duplicate();
                msg.position(in.position() + 2).limit(in.position() + 2 + p.value());
                in.position(in.position() + p.consumed());
                boolean[] during = {true};
                boolean later = handler.handle(msg, client, local, "tcp", response -> deliver(response, !during[0]));
                during[0] = false;
                if (later) {
                    waiting++;
                }
                in.compact();
                continue;
            }
            // Need more: make room for the whole frame, then wait for it.
            int need = in.remaining() >= 2 ? 2 + (((in.get(in.position()) & 0xff) << 8) | (in.get(in.position() + 1) & 0xff)) : 2;
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
        if (closed) {
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

    void writable(long now) throws IOException {
        while (!out.isEmpty()) {
            ByteBuffer b = out.peek();
            int n = channel.write(b);
            if (n > 0) {
                lastActive = now;
                outBytes -= n;
            }
            if (b.hasRemaining()) {
                break;
            }
            out.poll();
        }
        process(); // queries held back while the answers were piling up
        update();
    }

    /** Closes the connection if it has been idle too long. */
    void checkIdle(long now) {
        if (!closed && waiting == 0 && now - lastActive > IDLE_MILLIS * 1_000_000L) {
            close();
        }
    }

    /** Interest ops from buffer state; closes once input is done and everything is answered. */
    void update() {
        if (closed) {
            return;
        }
        if (inputDone && out.isEmpty() && waiting == 0) {
            close();
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

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        in = null;
        out.clear();
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
