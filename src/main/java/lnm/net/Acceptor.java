package lnm.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.ListenerSpec;

/**
 * Owns the listening sockets and hands each accepted connection to the next event loop,
 * round-robin. It runs on the first loop's thread, its listeners registered with that loop's
 * selector. An acceptor thread of its own (12% of lnm's CPU under connection churn on a 2-core
 * box) cost a context switch, its own select and a wakeup of the receiving loop per burst of
 * connections; now half the connections start where they were accepted and the rest are one
 * task-queue entry away. A burst still never starves relaying: at most {@link #BATCH} accepts
 * per listener per ready event, then the loop serves its other keys.
 *
 * <p>When the process runs out of file descriptors, accept fails; the acceptor then stops
 * asking for accepts for {@link #BACKOFF_MILLIS} instead of spinning on a socket that stays
 * ready, and counts the event.
 */
final class Acceptor {
    private static final Logger LOG = Logger.getLogger(Acceptor.class.getName());
    private static final long BACKOFF_MILLIS = 100;
    private static final int BATCH = 64;

    private final EventLoop home;
    private final EventLoop[] loops;
    private final Services services;
    private final Map<String, ServerSocketChannel> bound = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int boundCount;
    private long pausedUntil;
    private int next;
    private long acceptFailures;

    Acceptor(EventLoop[] loops, Services services) {
        this.loops = loops;
        this.home = loops[0];
        this.services = services;
        home.everyTick(this::resumeAfterBackoff);
    }

    /**
     * Binds the listeners of {@code c} that are not bound yet and closes those it no longer
     * has (or whose address changed). Runs on the calling thread before the loops start, else on the home loop.
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
                closeListener(e.getValue());
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
                ch.register(home.selector(), SelectionKey.OP_ACCEPT, new Listening(l.name()));
                bound.put(l.name(), ch);
                LOG.info("listener " + l.name() + " (" + l.mode() + ") on " + Connection.format(localAddress(ch)));
            } catch (IOException e) {
                problems.add("listener " + l.name() + ": cannot bind " + l.bind() + ": " + e.getMessage());
            }
        }
        boundCount = bound.size();
        return problems;
    }

    /** Runs {@link #sync} on the acceptor's loop and waits for its answer. */
    List<String> syncLater(Config c) throws InterruptedException {
        return onHome(() -> sync(c), List.of("listener update failed: the event loop did not answer"));
    }

    /** Runs {@code task} on the home loop (or here, when it is not running) and waits for it. */
    private <T> T onHome(java.util.function.Supplier<T> task, T ifLost) throws InterruptedException {
        if (!home.started() || home.inLoop()) {
            return task.get();
        }
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        home.execute(() -> f.complete(task.get()));
        try {
            return f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warning("acceptor task failed: " + e);
            return ifLost;
        }
    }

    /** Closes every bound listener (a start that failed part-way). */
    void closeAll() {
        for (ServerSocketChannel ch : bound.values()) {
            closeListener(ch);
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

    /** Stops accepting: closes every listener (on the home loop) and waits for that. */
    void stop() throws InterruptedException {
        onHome(() -> {
            closeAll();
            return Boolean.TRUE;
        }, Boolean.FALSE);
    }

    /** A bound listener's key attachment: which listener a ready key is, without a lookup. */
    private final class Listening implements EventLoop.Ready {
        private final String name;

        Listening(String name) {
            this.name = name;
        }

        @Override
        public void onReady(SelectionKey key) {
            ServerSocketChannel server = (ServerSocketChannel) key.channel();
            for (int i = 0; i < BATCH; i++) { // bounded batch, then let the loop's other keys have a turn
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

        @Override
        public void onFailure(Throwable t) {
            LOG.log(java.util.logging.Level.SEVERE, "accept on listener " + name + " failed", t);
        }
    }

    private void dispatch(String name, SocketChannel ch) {
        Config c = services.config();
        ListenerSpec spec = null;
        for (ListenerSpec l : c.listeners()) {
            if (l.name().equals(name)) {
                spec = l;
                break;
            }
        }
        InetSocketAddress peer;
        try {
            peer = (InetSocketAddress) ch.getRemoteAddress();
        } catch (IOException e) {
            EventLoop.closeQuietly(ch);
            return;
        }
        if (spec == null || peer == null) {
            EventLoop.closeQuietly(ch);
            return;
        }
        String refused = services.admit(spec, peer.getAddress(), c);
        EventLoop loop = loops[next];
        next = (next + 1) % loops.length;
        Connection conn = new Connection(loop, services, c, spec, ch, peer);
        if (loop == home) {
            conn.start(refused);
        } else {
            loop.execute(() -> conn.start(refused));
        }
    }

    private void backoff(IOException e) {
        acceptFailures++;
        if (acceptFailures % 100 == 1) {
            LOG.warning("accept failed (" + e.getMessage() + "); pausing accepts for " + BACKOFF_MILLIS + " ms");
        }
        pausedUntil = EventLoop.nowMillis() + BACKOFF_MILLIS;
        setInterest(0);
    }

    /** Ticks come every {@link EventLoop#TICK_MILLIS}, the same as the backoff. */
    private void resumeAfterBackoff(long now) {
        if (pausedUntil != 0 && now >= pausedUntil) {
            pausedUntil = 0;
            setInterest(SelectionKey.OP_ACCEPT);
        }
    }

    private void setInterest(int ops) {
        for (ServerSocketChannel ch : bound.values()) {
            SelectionKey k = ch.keyFor(home.selector());
            if (k != null && k.isValid()) {
                k.interestOps(ops);
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

    /**
     * Closes a listener so that its port is free when this returns (a reload that drops a
     * listener, or shutdown): closed while still registered, the JDK would only release the
     * socket at the home loop's next select.
     */
    private void closeListener(ServerSocketChannel ch) {
        SelectionKey k = ch.keyFor(home.selector());
        if (k != null) {
            k.cancel();
            home.deregisterCancelled();
        }
        EventLoop.closeQuietly(ch);
    }
}
