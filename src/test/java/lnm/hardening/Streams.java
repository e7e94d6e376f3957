package lnm.hardening;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Many byte streams driven by one selector thread: the load generator (clients) and the upstream
 * (a server) of the integrity, flood and soak runs. Each connection sends a prefix, then a
 * pseudo-random stream of a chosen size, then half-closes; it reads until the peer's end of
 * stream; SHA-256 of everything sent and of everything received is kept, so the two ends of
 * a proxied connection can be compared after the fact.
 *
 * <p>Per connection, a {@link Spec} may make it wait for the peer's end of stream before sending
 * its stream (request/response in either direction) or read slowly (the proxy must then hold
 * back the other side, not buffer without bound). A server decides each connection's spec from
 * the first bytes it receives, which is how a client tells it what to answer.
 */
final class Streams implements AutoCloseable {
    /** What one side of a connection does. */
    record Spec(byte[] prefix, long size, long seed, boolean waitPeerEof, int readPauseMillis) {
        static Spec of(byte[] prefix, long size, long seed) {
            return new Spec(prefix, size, seed, false, 0);
        }
    }

    /** One connection's side, its progress and its result. */
    static final class Side {
        final boolean client;
        final SocketChannel ch;
        final long startNanos = System.nanoTime();
        final CompletableFuture<Side> done = new CompletableFuture<>();
        Spec spec;
        int localPort;
        long connectedNanos;
        long firstByteNanos;
        long endNanos;
        long sent;
        long received;
        boolean eof;
        boolean shut;
        Throwable error;
        private final MessageDigest sentDigest = sha256();
        private final MessageDigest recvDigest = sha256();
        private byte[] sentHash;
        private byte[] recvHash;
        private SplittableRandom gen;
        private ByteBuffer out;
        private int prefixLeft;
        private long resumeReadAt;
        private SelectionKey key;
        /** Server side: the first bytes received, until a spec is decided from them. */
        private byte[] head;
        private int headLen;
        private byte[] decidedOn;

        Side(boolean client, SocketChannel ch) {
            this.client = client;
            this.ch = ch;
        }

        /** Server side: the first bytes its spec was decided on (null if the stream ended first). */
        byte[] head() {
            return decidedOn;
        }

        byte[] sentHash() {
            return sentHash;
        }

        byte[] recvHash() {
            return recvHash;
        }

        String describe() {
            return (client ? "client" : "server") + " :" + localPort + " sent " + sent + "/" + (spec == null ? "?" : spec.prefix().length + spec.size())
                    + " received " + received + (eof ? " eof" : "") + (shut ? " shut" : "") + (error != null ? " error " + error : "");
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Side> sides = new ArrayList<>();
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    private volatile boolean running = true;
    private ServerSocketChannel server;
    private int decideAfter;
    private Function<byte[], Spec> decide;
    private Consumer<Side> onServerDone = s -> { };

    Streams(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "streams-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Listens on loopback; each accepted connection reads {@code decideAfter} bytes (or to end
     * of stream) and then follows the spec {@code decide} makes of them (null bytes if the
     * stream ended first).
     */
    static Streams server(String name, InetAddress bind, int decideAfter, Function<byte[], Spec> decide, Consumer<Side> onDone) throws IOException {
        Streams s = new Streams(name);
        s.decideAfter = decideAfter;
        s.decide = decide;
        s.onServerDone = onDone;
        ServerSocketChannel ssc = ServerSocketChannel.open();
        ssc.bind(new InetSocketAddress(bind, 0), 4096);
        ssc.configureBlocking(false);
        s.server = ssc;
        CompletableFuture<Void> reg = new CompletableFuture<>();
        s.execute(() -> {
            try {
                ssc.register(s.selector, SelectionKey.OP_ACCEPT);
                reg.complete(null);
            } catch (IOException e) {
                reg.completeExceptionally(e);
            }
        });
        reg.join();
        return s;
    }

    int port() {
        return server.socket().getLocalPort();
    }

    /** Opens a connection from {@code from} (null: any loopback address) and runs {@code spec} on it. */
    CompletableFuture<Side> connect(InetSocketAddress to, InetAddress from, Spec spec) {
        CompletableFuture<Side> f = new CompletableFuture<>();
        execute(() -> {
            Side s;
            try {
                s = new Side(true, SocketChannel.open());
            } catch (IOException e) {
                f.completeExceptionally(e);
                return;
            }
            s.spec = spec;
            s.done.whenComplete((x, e) -> f.complete(s));
            try {
                s.ch.configureBlocking(false);
                s.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (from != null) {
                    s.ch.bind(new InetSocketAddress(from, 0));
                }
                s.key = s.ch.register(selector, SelectionKey.OP_CONNECT, s);
                sides.add(s);
                if (s.ch.connect(to)) {
                    connected(s);
                }
            } catch (IOException e) {
                fail(s, e);
            }
        });
        return f;
    }

    private void execute(Runnable r) {
        tasks.add(r);
        selector.wakeup();
    }

    private void run() {
        try {
            while (running) {
                selector.select(this::ready, 10);
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
                long now = System.nanoTime();
                for (int i = sides.size() - 1; i >= 0; i--) {
                    Side s = sides.get(i);
                    if (s.done.isDone()) {
                        sides.remove(i);
                    } else if (s.resumeReadAt != 0 && now >= s.resumeReadAt) {
                        s.resumeReadAt = 0;
                        interest(s);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Side s : sides) {
                fail(s, e);
            }
        }
    }

    private void ready(SelectionKey k) {
        if (k.attachment() == null) {
            accept();
            return;
        }
        Side s = (Side) k.attachment();
        try {
            if (k.isConnectable()) {
                if (s.ch.finishConnect()) {
                    connected(s);
                }
                return;
            }
            if (k.isValid() && k.isReadable()) {
                read(s);
            }
            if (k.isValid() && k.isWritable() && !s.done.isDone()) {
                write(s);
            }
            if (!s.done.isDone()) {
                finishIfDone(s);
            }
        } catch (IOException | RuntimeException e) {
            fail(s, e);
        }
    }

    private void accept() {
        try {
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Side s = new Side(false, ch);
                s.connectedNanos = System.nanoTime();
                s.localPort = ((InetSocketAddress) ch.getRemoteAddress()).getPort();
                s.head = new byte[decideAfter];
                s.done.whenComplete((x, e) -> onServerDone.accept(s));
                s.key = ch.register(selector, SelectionKey.OP_READ, s);
                sides.add(s);
                if (decideAfter == 0) {
                    decided(s, new byte[0]);
                }
            }
        } catch (IOException e) {
            // a connection that went away before we saw it; the client side reports it
        }
    }

    private void connected(Side s) throws IOException {
        s.connectedNanos = System.nanoTime();
        s.localPort = ((InetSocketAddress) s.ch.getLocalAddress()).getPort();
        start(s);
    }

    private void decided(Side s, byte[] head) {
        s.spec = decide.apply(head);
        if (s.spec == null) {
            s.spec = Spec.of(new byte[0], 0, 0);
        }
        s.decidedOn = head;
        start(s);
    }

    private void start(Side s) {
        s.gen = new SplittableRandom(s.spec.seed());
        s.out = ByteBuffer.wrap(s.spec.prefix().clone());
        s.prefixLeft = s.spec.prefix().length;
        interest(s);
    }

    private void read(Side s) throws IOException {
        ByteBuffer b = readBuf.clear();
        int n = s.ch.read(b);
        if (n < 0) {
            s.eof = true;
            s.endNanos = System.nanoTime();
            if (s.spec == null) {
                decided(s, null);
            }
        } else if (n > 0) {
            if (s.firstByteNanos == 0) {
                s.firstByteNanos = System.nanoTime();
            }
            s.received += n;
            s.recvDigest.update(b.array(), 0, n);
            if (s.spec == null && !s.client) {
                int take = Math.min(n, s.head.length - s.headLen);
                System.arraycopy(b.array(), 0, s.head, s.headLen, take);
                s.headLen += take;
                if (s.headLen == s.head.length) {
                    decided(s, s.head);
                }
            } else if (s.spec.readPauseMillis() > 0) {
                s.resumeReadAt = System.nanoTime() + s.spec.readPauseMillis() * 1_000_000L;
            }
        }
        interest(s);
    }

    private void write(Side s) throws IOException {
        while (true) {
            if (!s.out.hasRemaining()) {
                if (!refill(s)) {
                    break;
                }
            }
            int pos = s.out.position();
            int n = s.ch.write(s.out);
            s.sentDigest.update(s.out.array(), pos, n);
            s.sent += n;
            if (s.out.hasRemaining()) {
                break; // socket full: wait for OP_WRITE
            }
        }
        if (!s.out.hasRemaining() && s.sent == s.spec.prefix().length + s.spec.size() && !s.shut && mayStream(s)) {
            s.shut = true;
            s.ch.shutdownOutput();
        }
        interest(s);
    }

    /** Loads the next chunk of the stream; false when nothing more may be sent now. */
    private boolean refill(Side s) {
        long streamed = s.sent - s.spec.prefix().length;
        long left = s.spec.size() - streamed;
        if (left <= 0 || !mayStream(s)) {
            return false;
        }
        byte[] chunk = new byte[(int) Math.min(left, 16 * 1024)];
        s.gen.nextBytes(chunk);
        s.out = ByteBuffer.wrap(chunk);
        return true;
    }

    private static boolean mayStream(Side s) {
        return !s.spec.waitPeerEof() || s.eof;
    }

    private void interest(Side s) {
        if (s.key == null || !s.key.isValid() || s.spec == null && s.client) {
            return;
        }
        boolean wantRead = !s.eof && s.resumeReadAt == 0;
        boolean wantWrite = s.spec != null && !s.shut
                && (s.out.hasRemaining() || mayStream(s) && s.sent - s.spec.prefix().length < s.spec.size()
                        || mayStream(s) && s.sent == s.spec.prefix().length + s.spec.size());
        s.key.interestOps((wantRead ? SelectionKey.OP_READ : 0) | (wantWrite ? SelectionKey.OP_WRITE : 0));
    }

    private void finishIfDone(Side s) throws IOException {
        if (s.eof && s.shut) {
            s.ch.close();
            s.sentHash = s.sentDigest.digest();
            s.recvHash = s.recvDigest.digest();
            s.done.complete(s);
        }
    }

    private void fail(Side s, Throwable e) {
        if (s.done.isDone()) {
            return;
        }
        s.error = e;
        s.endNanos = System.nanoTime();
        try {
            s.ch.close();
        } catch (IOException ignored) {
            // closing after a failure
        }
        s.sentHash = s.sentDigest.digest();
        s.recvHash = s.recvDigest.digest();
        s.done.complete(s);
    }

    /** What each open connection is doing, read on the engine's thread. */
    List<String> describeOpen() {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        execute(() -> {
            List<String> out = new ArrayList<>();
            for (Side s : sides) {
                if (!s.done.isDone()) {
                    out.add(s.describe() + (s.key != null && s.key.isValid() ? " interest " + s.key.interestOps() : " no key")
                            + " connected " + (s.connectedNanos != 0) + " age " + (System.nanoTime() - s.startNanos) / 1_000_000 + " ms");
                }
            }
            f.complete(out);
        });
        return f.join();
    }

    /** Live connections (read on the engine's thread, approximate elsewhere). */
    int open() {
        return sides.size();
    }

    static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }
}
