package lnm.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One selector and the thread that runs it.
 *
 * <p>Everything a loop owns (its channels, connections, buffer pool) is touched only by its own
 * thread. Other threads reach it through {@link #execute}, a lock-free task queue plus a single
 * {@code wakeup()}. Each ready key is handled inside its own try/catch that fails only that
 * connection. Timeouts are found by a sweep of the loop's live handlers every
 * {@link #TICK_MILLIS}, which costs little next to the I/O and keeps no timer objects.
 */
public final class EventLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());
    static final long TICK_MILLIS = 100;

    /** What a loop drives: a connection, reached through its selection keys' attachment. */
    interface Handler {
        void onReady(SelectionKey key) throws IOException;

        /** Called every tick with the current time in ms, to enforce deadlines. */
        void onTick(long nowMillis);

        /** Something unexpected escaped {@link #onReady}; close and audit. */
        void onFailure(Throwable t);

        /** Forced close at shutdown, after the drain period. */
        void abort(String why);

        /** A view for the admin endpoint. */
        ConnectionInfo info(long nowMillis);
    }

    private final String name;
    private final Selector selector;
    private final BufferPool pool;
    private final ByteBuffer scratch;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Set<Handler> live = new HashSet<>();
    private volatile int liveCount;
    private volatile boolean stopping;
    private Thread thread;
    private long nextTick;

    public EventLoop(String name, int bufferSize) throws IOException {
        this.name = name;
        this.selector = Selector.open();
        this.pool = new BufferPool(bufferSize, 256);
        this.scratch = ByteBuffer.allocateDirect(bufferSize);
    }

    public void start() {
        thread = new Thread(this, name);
        thread.setDaemon(false);
        thread.start();
    }

    /**
     * Milliseconds on the monotonic clock: every deadline and interval in lnm.net uses it, so a
     * wall-clock step (NTP) neither closes every connection as idle nor stalls the timeouts.
     * Audit timestamps stay on the wall clock.
     */
    static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /** Runs {@code task} on the loop thread, soon. Safe from any thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    public Selector selector() {
        return selector;
    }

    BufferPool pool() {
        return pool;
    }

    /** A loop-wide read buffer: filled and emptied within one event, never held. */
    ByteBuffer scratch() {
        return scratch.clear();
    }

    void add(Handler h) {
        live.add(h);
        liveCount = live.size();
    }

    void remove(Handler h) {
        live.remove(h);
        liveCount = live.size();
    }

    /** Live connections on this loop (read from any thread; approximate). */
    public int liveCount() {
        return liveCount;
    }

    /** Buffers lent out by this loop's pool; only exact when read on the loop. */
    public long buffersInUse() {
        return pool.inUse();
    }

    /** Snapshots this loop's live connections; runs the copy on the loop thread. */
    java.util.concurrent.CompletableFuture<java.util.List<ConnectionInfo>> snapshot() {
        java.util.concurrent.CompletableFuture<java.util.List<ConnectionInfo>> f = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            long now = nowMillis();
            java.util.List<ConnectionInfo> out = new ArrayList<>(live.size());
            for (Handler h : live) {
                out.add(h.info(now));
            }
            f.complete(out);
        });
        return f;
    }

    /** Closes every live connection now (after a drain), then stops the thread. */
    public void stop() {
        execute(() -> {
            for (Handler h : new ArrayList<>(live)) {
                h.abort("shutdown");
            }
            stopping = true;
        });
    }

    public void join(long millis) throws InterruptedException {
        if (thread != null) {
            thread.join(millis);
        }
    }

    @Override
    public void run() {
        nextTick = nowMillis() + TICK_MILLIS;
        try {
            while (!stopping) {
                long wait = Math.max(1, nextTick - nowMillis());
                selector.select(this::dispatch, wait);
                wakeupPending.set(false);
                runTasks();
                long now = nowMillis();
                if (now >= nextTick) {
                    tick(now);
                    nextTick = now + TICK_MILLIS;
                }
            }
        } catch (ClosedSelectorException e) {
            // closed during shutdown
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, name + ": event loop failed", e);
        } finally {
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    private void dispatch(SelectionKey key) {
        Handler h = (Handler) key.attachment();
        try {
            if (key.isValid()) {
                h.onReady(key);
            }
        } catch (Throwable t) { // one bad connection must not take the loop down
            h.onFailure(t);
        }
    }

    private void runTasks() {
        Runnable r;
        int budget = 10_000;
        while (budget-- > 0 && (r = tasks.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + ": task failed", e);
            }
        }
    }

    private void tick(long now) {
        if (live.isEmpty()) {
            return;
        }
        for (Handler h : new ArrayList<>(live)) {
            try {
                h.onTick(now);
            } catch (RuntimeException e) {
                h.onFailure(e);
            }
        }
    }
}
