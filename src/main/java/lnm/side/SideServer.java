package lnm.side;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import lnm.config.IpLiteral;
import lnm.floor.RateLimiter;
import lnm.floor.SourceCounter;
import lnm.floor.SourceKey;
import lnm.http.HttpHeadParser;
import lnm.http.HttpLimits;
import lnm.http.RequestHead;
import lnm.side.SideConnection.State;
import lnm.wire.ParseResult;

/**
 * The HTTP/1.1 server of lnm's side ports ({@code admin.listen}, {@code fleet.listen}): one
 * selector thread of its own and two workers, with the data path's defences.
 *
 * <ul>
 *   <li>At accept: {@link SideRules#sources}, the per-source connection cap and the per-source
 *       rate of new connections (IPv6 clients counted by prefix), all from the config in force.</li>
 *   <li>A slow client costs a socket, never a thread: heads and bodies are read by the loop, and
 *       each connection has one absolute deadline ({@link #REQUEST_MILLIS} from accept to the end
 *       of its answer).</li>
 *   <li>Bounded memory: a head of at most {@link #HEAD_BYTES}, parsed by the proxy's strict
 *       parser; a body only with {@code Content-Length}, at most what the handler allows, and all
 *       bodies in flight together at most {@link #BODY_BUDGET}; at most {@link #MAX_CONNECTIONS}
 *       sockets.</li>
 *   <li>No lock-out: when the port or a source is full, the oldest connection that has not
 *       finished sending its request (or is already answered) is closed to make room, so no
 *       crowd of held connections keeps a real client out.</li>
 *   <li>Quick requests (health checks) are answered on the loop thread, so no queue of slow
 *       requests delays them; the rest go to two workers with a short queue, of which one source
 *       may hold a sixth ({@link #WORK_PER_SOURCE}); past that, or when the queue is full, the
 *       answer is 503 at once.</li>
 *   <li>One request per connection ({@code Connection: close}).</li>
 * </ul>
 */
public final class SideServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SideServer.class.getName());
    static final int MAX_CONNECTIONS = 1024;
    static final int HEAD_BYTES = 8 * 1024;
    static final int BODY_BUDGET = 1 << 20;
    static final long REQUEST_MILLIS = 10_000;
    static final long LINGER_MILLIS = 2_000;
    static final int WORKERS = 2;
    static final int QUEUE = 32;
    /**
     * Requests one source may have with the workers (running or queued): a few flooding sources
     * leave room for everybody else's (six sources fill workers and queue).
     */
    static final int WORK_PER_SOURCE = (WORKERS + QUEUE) / 6;
    private static final HttpLimits LIMITS = new HttpLimits(HEAD_BYTES, 64, 64);
    private static final long MILLI = 1_000_000L;
    private static final long SWEEP_NANOS = 100 * MILLI;
    private static final int ACCEPTS_PER_WAKE = 64;

    /** A worker's answer, handed back to the loop. */
    private record Done(SideConnection connection, SideResponse response) {}

    private final InetSocketAddress bind;
    private final long requestNanos;
    private final String name;
    private final SideHandler handler;
    private final Supplier<SideRules> rules;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor workers;
    private final Thread loop;
    private final Queue<Done> done = new ConcurrentLinkedQueue<>();
    /** Every open connection, oldest first: deadlines and eviction walk it in accept order. */
    private final LinkedHashSet<SideConnection> open = new LinkedHashSet<>();
    /** Connections open per source. */
    private final SourceCounter perSource = new SourceCounter();
    /** Requests with the workers (running or queued) per source. */
    private final SourceCounter working = new SourceCounter();
    private final RateLimiter rate = new RateLimiter(4096);
    private final ByteBuffer discard = ByteBuffer.allocate(1024);
    private final SideStats stats = new SideStats();
    private int bodyBytes;
    private long lastSweep;
    private volatile boolean running = true;

    /**
     * Binds {@code bind} and starts serving.
     *
     * @param name the port's name in logs and thread names ({@code admin}, {@code fleet})
     * @param rules who may connect and how much, asked at each accept
     * @throws IOException when the address cannot be bound
     */
    public SideServer(InetSocketAddress bind, String name, SideHandler handler, Supplier<SideRules> rules)
            throws IOException {
        this(bind, name, handler, rules, REQUEST_MILLIS);
    }

    /** As above, with the span each connection gets from accept to the end of its answer. */
    SideServer(InetSocketAddress bind, String name, SideHandler handler, Supplier<SideRules> rules, long requestMillis)
            throws IOException {
        this.bind = bind;
        this.requestNanos = requestMillis * MILLI;
        this.name = name;
        this.handler = handler;
        this.rules = rules;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind, 256);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            selector.close();
            throw e;
        }
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> daemon(r, "lnm-" + name + "-worker"), new ThreadPoolExecutor.AbortPolicy());
        this.loop = daemon(this::run, "lnm-" + name + "-http");
        loop.start();
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }

    /**
     * The address as configured, with the real port when configured as 0 (a dual-stack socket
     * bound to 0.0.0.0 reports the IPv6 wildcard; logs and tests show what the config said).
     */
    public InetSocketAddress address() {
        try {
            return new InetSocketAddress(bind.getAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Requests waiting for a worker now. */
    int queued() {
        return workers.getQueue().size();
    }

    /** What the port refused and closed since start. */
    public SideStats stats() {
        return stats;
    }

    /** Stops accepting, closes every connection and the workers. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    private void run() {
        try {
            while (running) {
                selector.select(250);
                long now = System.nanoTime();
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.attachment() == null) {
                        accept(now);
                    } else {
                        serve((SideConnection) k.attachment(), k, now);
                    }
                }
                for (Done d; (d = done.poll()) != null; ) {
                    if (d.connection().state == State.WORKING && open.contains(d.connection())) {
                        respond(d.connection(), d.response(), now);
                    }
                }
                if (now - lastSweep >= SWEEP_NANOS) {
                    lastSweep = now;
                    sweep(now);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, name + " port: loop failed", e);
        } finally {
            for (SideConnection c : List.copyOf(open)) {
                close(c);
            }
            closeQuietly(server);
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void accept(long now) {
        for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                LOG.fine(name + " port: accept failed: " + e.getMessage()); // out of descriptors: try again at the next wake
                return;
            }
            if (ch == null) {
                return;
            }
            try {
                admit(ch, now);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
            }
        }
    }

    private void admit(SocketChannel ch, long now) throws IOException {
        InetAddress client = IpLiteral.unmapped(((InetSocketAddress) ch.getRemoteAddress()).getAddress());
        SideRules r = rules.get();
        if (!r.admits(client)) {
            stats.source.increment();
            refuseAtAccept(ch, 403, "source not allowed on the " + name + " port");
            return;
        }
        InetAddress source = SourceKey.of(client, r.ipv6PrefixLength());
        if (!rate.allow(source, r.perSourceRate(), now)) {
            stats.rate.increment();
            refuseAtAccept(ch, 429, "too many new connections from this source");
            return;
        }
        if (perSource.of(source) >= r.perSourceConnections() && !evictOldest(source)) {
            stats.full.increment();
            refuseAtAccept(ch, 503, "too many connections from this source");
            return;
        }
        if (open.size() >= MAX_CONNECTIONS && !evictOldest(null)) {
            stats.full.increment();
            refuseAtAccept(ch, 503, "too many connections");
            return;
        }
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
        SideConnection c = new SideConnection(ch, key, client, source, now + requestNanos);
        key.attach(c);
        open.add(c);
        perSource.acquireSource(source, Integer.MAX_VALUE); // the cap was checked above, with eviction
    }

    /** One try to say why, then the socket closes: a refused client costs nothing more. */
    private void refuseAtAccept(SocketChannel ch, int status, String message) {
        try {
            ch.configureBlocking(false);
            ch.write(ByteBuffer.wrap(Answer.bytes(SideResponse.text(status, message), false)));
            ch.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // the client is gone or slow: it gets the close alone
        }
        closeQuietly(ch);
    }

    /** Closes the oldest evictable connection (of {@code source}, or of any source if null). */
    private boolean evictOldest(InetAddress source) {
        for (SideConnection c : open) {
            if (c.evictable() && (source == null || c.source.equals(source))) {
                stats.evicted.increment();
                close(c);
                return true;
            }
        }
        return false;
    }

    private void sweep(long now) {
        List<SideConnection> late = new ArrayList<>();
        for (SideConnection c : open) {
            if (now - c.deadlineNanos >= 0) {
                late.add(c);
            }
        }
        for (SideConnection c : late) {
            if (c.state != State.LINGERING) {
                stats.timeout.increment();
            }
            close(c);
        }
    }

    private void serve(SideConnection c, SelectionKey k, long now) {
        try {
            if (!k.isValid()) {
                close(c);
            } else if (c.state == State.READING && k.isReadable()) {
                read(c, now);
            } else if (c.state == State.WRITING && k.isWritable()) {
                write(c, now);
            } else if (c.state == State.LINGERING && k.isReadable()) {
                linger(c);
            }
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    private void read(SideConnection c, long now) throws IOException {
        ByteBuffer into = c.head == null ? headRoom(c) : c.body;
        int n = c.channel.read(into);
        if (n < 0) {
            close(c); // gave up before its request was whole
            return;
        }
        if (c.head == null) {
            ByteBuffer view = c.in.duplicate().flip();
            HttpHeadParser.Outcome o = HttpHeadParser.resume(view, LIMITS, c.parsed); // from the last complete line
            c.parsed = o.progress();
            ParseResult<RequestHead> p = o.result();
            if (p instanceof ParseResult.NeedMore<RequestHead>) {
                return;
            }
            if (p instanceof ParseResult.Invalid<RequestHead> bad) {
                stats.bad.increment();
                int status = bad.reason() == HttpHeadParser.TOO_LARGE
                        || bad.reason() == HttpHeadParser.TOO_MANY_HEADERS ? 431 : 400;
                respond(c, SideResponse.text(status, "bad request: " + bad.detail()), now);
                return;
            }
            ParseResult.Parsed<RequestHead> ok = (ParseResult.Parsed<RequestHead>) p;
            if (!startBody(c, ok.value(), view.position(ok.consumed()), now)) {
                return;
            }
        }
        if (!c.body.hasRemaining()) {
            dispatch(c, now);
        }
    }

    /** The head buffer with room for more, grown up to the head bound (the parser refuses beyond). */
    private static ByteBuffer headRoom(SideConnection c) {
        if (c.in == null) {
            c.in = ByteBuffer.allocate(512);
        } else if (!c.in.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(HEAD_BYTES + 1, c.in.capacity() * 2));
            c.in.flip();
            bigger.put(c.in);
            c.in = bigger;
        }
        return c.in;
    }

    /**
     * Checks the head and sets up the body's buffer, with whatever of it came with the head.
     *
     * @return false if the request was answered already (refused)
     */
    private boolean startBody(SideConnection c, RequestHead head, ByteBuffer rest, long now) throws IOException {
        SideResponse refusal = SideHead.refusal(head, rules.get());
        if (refusal != null) {
            stats.bad.increment();
            respond(c, refusal, now);
            return false;
        }
        long length = head.fixedBodyLength();
        int max = handler.maxBody(head);
        if (length > max) {
            stats.bad.increment();
            respond(c, SideResponse.text(413, "body too large: at most " + max + " bytes here"), now);
            return false;
        }
        if (bodyBytes + length > BODY_BUDGET) {
            stats.full.increment();
            respond(c, SideResponse.text(503, "busy: too many request bodies in flight; try again"), now);
            return false;
        }
        c.head = head;
        c.in = null;
        c.body = ByteBuffer.allocate((int) length);
        bodyBytes += (int) length;
        rest.limit(Math.min(rest.limit(), rest.position() + (int) length)); // pipelined bytes past the body are ignored
        c.body.put(rest);
        if (c.body.hasRemaining() && "100-continue".equalsIgnoreCase(head.headers().stream()
                .filter(h -> h.is("Expect")).map(h -> h.value()).findFirst().orElse(""))) {
            c.channel.write(ByteBuffer.wrap("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        }
        return true;
    }

    private void dispatch(SideConnection c, long now) {
        SideRequest req = new SideRequest(c.head.method(), c.head.pathWithoutQuery(), c.head.headers(), c.body.array(),
                c.client);
        if (handler.quick(c.head)) {
            respond(c, answer(req), now);
            return;
        }
        if (!working.acquireSource(c.source, WORK_PER_SOURCE)) {
            stats.full.increment();
            respond(c, SideResponse.text(503, "busy: this source has " + WORK_PER_SOURCE + " requests in work; try again"), now);
            return;
        }
        c.state = State.WORKING;
        c.key.interestOps(0);
        try {
            workers.execute(() -> {
                done.add(new Done(c, answer(req)));
                selector.wakeup();
            });
        } catch (RejectedExecutionException e) {
            stats.full.increment();
            respond(c, SideResponse.text(503, "busy: try again"), now);
        }
    }

    private SideResponse answer(SideRequest req) {
        try {
            return handler.handle(req);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, name + " port: " + req.method() + " " + req.path() + " failed", e);
            return SideResponse.text(500, "internal error");
        }
    }

    private void respond(SideConnection c, SideResponse r, long now) {
        leaveWork(c);
        bodyBytes -= c.bodyBytes();
        boolean head = c.head != null && c.head.method().equals("HEAD");
        c.body = null;
        c.in = null;
        c.out = ByteBuffer.wrap(Answer.bytes(r, head));
        c.state = State.WRITING;
        try {
            write(c, now);
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    private void write(SideConnection c, long now) throws IOException {
        c.channel.write(c.out);
        if (c.out.hasRemaining()) {
            c.key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        c.out = null;
        c.channel.shutdownOutput();
        c.state = State.LINGERING;
        c.deadlineNanos = Math.min(c.deadlineNanos, now + LINGER_MILLIS * MILLI);
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void linger(SideConnection c) throws IOException {
        discard.clear();
        if (c.channel.read(discard) < 0) {
            close(c);
        }
    }

    /** A connection whose request was with the workers gives its source's share back. */
    private void leaveWork(SideConnection c) {
        if (c.state == State.WORKING) {
            working.releaseSource(c.source);
        }
    }

    private void close(SideConnection c) {
        if (!open.remove(c)) {
            return;
        }
        leaveWork(c);
        bodyBytes -= c.bodyBytes();
        c.body = null;
        perSource.releaseSource(c.source);
        c.key.cancel();
        closeQuietly(c.channel);
    }

    private static void closeQuietly(java.io.Closeable ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
