package lnm.floor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
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
 *
 * <p>Proxy connections and the DNS server's sockets (UDP, the TCP listener and its clients,
 * each forwarded query's socket) are all handlers of this one type; the DNS server runs an instance
 * of its own so that its lifecycle follows {@code dns.listen} and its state stays on one thread.
 */
public final class EventLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());
    public static final long TICK_MILLIS = 100;

    /** What a selection key's attachment is: called when the key is ready. */
    public interface Ready {
        void onReady(SelectionKey key) throws IOException;

        /**
         * Something unexpected escaped {@link #onReady}: a connection closes (and audits); a
         * socket serving many clients (a DNS UDP socket) drops only what failed.
         */
        void onFailure(Throwable t);
    }

    /**
     * What a loop drives and keeps deadlines for: a connection, reached through its selection
     * keys' attachment, and listed with the loop ({@link #add}) while it lives.
     */
    public interface Handler extends Ready {
        /** Called every tick with the current time in ms, to enforce deadlines. */
        void onTick(long nowMillis);

        /** Forced close at shutdown, after the drain period. */
        void abort(String why);

        /** A view for the admin endpoint. */
        ConnectionInfo info(long nowMillis);
    }

    private final String name;
    private final LongSupplier clock;
    private final Selector selector;
    private final BufferPool pool;
    private final ByteBuffer scratch;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /**
     * False only while the loop is in, or about to enter, a blocking select: set false before
     * the loop looks at its task queue one last time, so that a task added after that look
     * sees false and wakes it (both are sequentially consistent), and one added before it is
     * seen by the look.
     */
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private final Set<Handler> live = new HashSet<>();
    /** Channels whose keys were cancelled, closed once the next select has dropped them. */
    private ArrayList<Channel> toClose = new ArrayList<>();
    private ArrayList<Channel> closing = new ArrayList<>();
    private volatile int liveCount;
    private final List<LongConsumer> tickHooks = new ArrayList<>();
    private final java.util.function.Consumer<SelectionKey> dispatcher = this::dispatch; // one, not one per select
    private volatile boolean stopping;
    private Thread thread;
    private long nextTick;

    public EventLoop(String name, int bufferSize) throws IOException {
        this(name, bufferSize, EventLoop::nowMillis);
    }

    /**
     * @param clock milliseconds on a monotonic clock: what ticks, deadlines and {@link #now}
     *              read (tests step it by hand)
     */
    public EventLoop(String name, int bufferSize, LongSupplier clock) throws IOException {
        this.name = name;
        this.clock = clock;
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
     * Milliseconds on the monotonic clock: every deadline and interval of the proxy engine uses it, so a
     * wall-clock step (NTP) neither closes every connection as idle nor stalls the timeouts.
     * Audit timestamps stay on the wall clock.
     */
    public static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /** This loop's clock in milliseconds: what {@link Handler#onTick} is given. */
    public long now() {
        return clock.getAsLong();
    }

    /**
     * Runs {@code task} on the loop thread, soon. Safe from any thread. The selector is woken
     * only when the loop is (about to be) blocked in select: a busy loop runs its tasks after
     * the events in hand anyway, and a wakeup it does not need costs it an eventfd write, an
     * extra select and an eventfd read.
     */
    public void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && !awake.get() && awake.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    public Selector selector() {
        return selector;
    }

    public BufferPool pool() {
        return pool;
    }

    /** A loop-wide read buffer: filled and emptied within one event, never held. */
    public ByteBuffer scratch() {
        return scratch.clear();
    }

    /**
     * Closes {@code ch} from the loop thread. Its key is cancelled now and the descriptor closed
     * after the next select has taken it out of epoll: a channel closed while still registered
     * makes the JDK read {@code SO_LINGER} and {@code shutdown()} it first (two system calls per
     * socket, four per connection) and still defers the real close to the next select. Once
     * deregistered, {@code close()} is the one {@code close(2)}: FIN as usual, or RST if
     * {@code SO_LINGER} was set to 0. The next select does not wait while closes are pending.
     */
    public void close(SelectableChannel ch) {
        SelectionKey k = ch.keyFor(selector);
        if (k == null) {
            closeQuietly(ch);
            return;
        }
        k.cancel();
        toClose.add(ch);
    }

    /**
     * Makes the selector drop the keys cancelled so far, now: a non-blocking select whose
     * events are handled as usual. Only on the loop thread outside a select (a task), or
     * before the loop starts.
     */
    public void deregisterCancelled() {
        if (!selector.isOpen()) {
            return; // the loop has ended: its selector dropped every key when it closed
        }
        try {
            selector.selectNow(dispatcher);
        } catch (IOException e) {
            LOG.warning(name + ": select failed: " + e);
        }
    }

    public static void closeQuietly(Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }

    /** Closes what was cancelled before the select that just returned (deregistered by it). */
    private void closeDeregistered(ArrayList<Channel> batch) {
        for (int i = 0; i < batch.size(); i++) {
            closeQuietly(batch.get(i));
        }
        batch.clear();
    }

    /** Runs {@code hook} on every tick, on the loop thread; add it before the loop starts. */
    public void everyTick(LongConsumer hook) {
        tickHooks.add(hook);
    }

    /** True on this loop's own thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** True once {@link #start} has run. */
    public boolean started() {
        return thread != null;
    }

    /** Lists {@code h} for ticks, snapshots and the shutdown abort; on the loop thread. */
    public void add(Handler h) {
        live.add(h);
        liveCount = live.size();
    }

    /** Unlists {@code h} (it has closed); on the loop thread. */
    public void remove(Handler h) {
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
    public java.util.concurrent.CompletableFuture<java.util.List<ConnectionInfo>> snapshot() {
        java.util.concurrent.CompletableFuture<java.util.List<ConnectionInfo>> f = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            long now = clock.getAsLong();
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
        nextTick = clock.getAsLong() + TICK_MILLIS;
        try {
            while (!stopping) {
                ArrayList<Channel> batch = toClose;
                toClose = closing;
                closing = batch;
                if (batch.isEmpty() && tasks.isEmpty()) {
                    awake.set(false);
                    if (tasks.isEmpty()) { // looked at again after the flag: see #awake
                        selector.select(dispatcher, Math.max(1, Math.min(TICK_MILLIS, nextTick - clock.getAsLong())));
                    } else {
                        selector.selectNow(dispatcher);
                    }
                    awake.set(true);
                } else {
                    selector.selectNow(dispatcher);
                }
                closeDeregistered(batch);
                runTasks();
                long now = clock.getAsLong();
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
                selector.close(); // deregisters every key, so the closes below are plain close(2)s
            } catch (IOException ignored) {
                // nothing left to release
            }
            closeDeregistered(closing);
            closeDeregistered(toClose);
        }
    }

    private void dispatch(SelectionKey key) {
        Ready h = (Ready) key.attachment();
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
        for (int i = 0; i < tickHooks.size(); i++) {
            tickHooks.get(i).accept(now);
        }
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
