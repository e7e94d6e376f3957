package lnm.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.ListenerSpec;

/**
 * Owns the listening sockets and hands each accepted connection to the next event loop,
 * round-robin. On its own thread so that a burst of accepts never delays relaying.
 *
 * <p>When the process runs out of file descriptors, accept fails; the acceptor then stops
 * asking for accepts for {@link #BACKOFF_MILLIS} instead of spinning on a socket that stays
 * ready, and counts the event.
 */
final class Acceptor implements Runnable {
    private static final Logger LOG = Logger.getLogger(Acceptor.class.getName());
    private static final long BACKOFF_MILLIS = 100;

    private final Selector selector;
    private final EventLoop[] loops;
    private final Services services;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<String, ServerSocketChannel> bound = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile int boundCount;
    private long pausedUntil;
    private int next;
    private long acceptFailures;
    private Thread thread;

    Acceptor(EventLoop[] loops, Services services) throws IOException {
        this.selector = Selector.open();
        this.loops = loops;
        this.services = services;
    }

    void start() {
        thread = new Thread(this, "lnm-acceptor");
        thread.start();
    }

    /**
     * Binds the listeners of {@code c} that are not bound yet and closes those it no longer
     * has (or whose address changed). Runs on the calling thread before start, else on ours.
     *
     * @return one message per listener that could not be bound
     */
    List<String> sync(Config c) {
        Map<String, ListenerSpec> want = new HashMap<>();
        for (ListenerSpec l : c.listeners()) {
            want.put(l.name(), l);
        }
        java.util.ArrayList<String> problems = new java.util.ArrayList<>();
        for (var it = bound.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            ListenerSpec l = want.get(e.getKey());
            if (l == null || !sameBind(l.bind(), localAddress(e.getValue()))) {
                close(e.getValue());
                it.remove();
                LOG.info("listener " + e.getKey() + " closed");
            }
        }
        for (ListenerSpec l : c.listeners()) {
            if (bound.containsKey(l.name())) {
                continue;
            }
            try {
                ServerSocketChannel ch = ServerSocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.bind(l.bind(), 4096);
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_ACCEPT, l.name());
                bound.put(l.name(), ch);
                LOG.info("listener " + l.name() + " (" + l.mode() + ") on " + Connection.format(localAddress(ch)));
            } catch (IOException e) {
                problems.add("listener " + l.name() + ": cannot bind " + l.bind() + ": " + e.getMessage());
            }
        }
        boundCount = bound.size();
        return problems;
    }

    /** Runs {@link #sync} on the acceptor thread and waits for its answer. */
    List<String> syncLater(Config c) throws InterruptedException {
        java.util.concurrent.CompletableFuture<List<String>> f = new java.util.concurrent.CompletableFuture<>();
        tasks.add(() -> f.complete(sync(c)));
        selector.wakeup();
        try {
            return f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return List.of("listener update failed: " + e);
        }
    }

    /** Closes every bound listener (a start that failed part-way). */
    void closeAll() {
        for (ServerSocketChannel ch : bound.values()) {
            close(ch);
        }
        bound.clear();
        boundCount = 0;
    }

    int boundCount() {
        return boundCount;
    }

    /** The address a listener is bound to (with the real port when configured as 0). */
    Optional<InetSocketAddress> address(String name) {
        ServerSocketChannel ch = bound.get(name);
        return ch == null ? Optional.empty() : Optional.ofNullable(localAddress(ch));
    }

    /** Stops accepting and closes every listener; waits for the thread. */
    void stop() throws InterruptedException {
        running = false;
        selector.wakeup();
        if (thread != null) {
            thread.join(5_000);
        }
    }

    @Override
    public void run() {
        try {
            while (running) {
                long now = EventLoop.nowMillis();
                selector.select(key -> accept(key), pausedUntil > now ? pausedUntil - now : 0);
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
                if (pausedUntil != 0 && EventLoop.nowMillis() >= pausedUntil) {
                    pausedUntil = 0;
                    for (SelectionKey k : selector.keys()) {
                        if (k.isValid()) {
                            k.interestOps(SelectionKey.OP_ACCEPT);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.severe("acceptor failed: " + e);
        } finally {
            closeAll();
            try {
                selector.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }

    private void accept(SelectionKey key) {
        ServerSocketChannel server = (ServerSocketChannel) key.channel();
        String name = (String) key.attachment();
        for (int i = 0; i < 64; i++) { // bounded batch, then let other listeners have a turn
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                backoff(e);
                return;
            }
            if (ch == null) {
                return;
            }
            dispatch(name, ch);
        }
    }

    private void dispatch(String name, SocketChannel ch) {
        Config c = services.config();
        ListenerSpec spec = c.listeners().stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
        InetSocketAddress peer;
        try {
            peer = (InetSocketAddress) ch.getRemoteAddress();
        } catch (IOException e) {
            close(ch);
            return;
        }
        if (spec == null || peer == null) {
            close(ch);
            return;
        }
        String refused = services.admit(peer.getAddress(), c);
        EventLoop loop = loops[next];
        next = (next + 1) % loops.length;
        Connection conn = new Connection(loop, services, c, spec, ch, peer);
        loop.execute(() -> conn.start(refused));
    }

    private void backoff(IOException e) {
        acceptFailures++;
        if (acceptFailures % 100 == 1) {
            LOG.warning("accept failed (" + e.getMessage() + "); pausing accepts for " + BACKOFF_MILLIS + " ms");
        }
        pausedUntil = EventLoop.nowMillis() + BACKOFF_MILLIS;
        for (SelectionKey k : selector.keys()) {
            if (k.isValid()) {
                k.interestOps(0);
            }
        }
    }

    long acceptFailures() {
        return acceptFailures;
    }

    /** Port 0 (any free port, used by tests) matches whatever port the socket got. */
    private static boolean sameBind(InetSocketAddress wanted, InetSocketAddress actual) {
        if (actual == null) {
            return false;
        }
        return wanted.getAddress().equals(actual.getAddress()) && (wanted.getPort() == 0 || wanted.getPort() == actual.getPort());
    }

    private static InetSocketAddress localAddress(ServerSocketChannel ch) {
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private static void close(java.nio.channels.Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
