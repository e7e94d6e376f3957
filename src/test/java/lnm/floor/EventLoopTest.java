package lnm.floor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event loop on its own, with pipes for channels and a clock stepped by hand: what reaches
 * it from other threads, what one handler's failure does to the others, and when ticks come.
 * Every wait is for an event, never for time to pass.
 */
class EventLoopTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);
    final AtomicLong clock = new AtomicLong(1_000);
    EventLoop loop;

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            loop.join(10_000);
        }
    }

    EventLoop started() throws IOException {
        loop = new EventLoop("test-loop", 1024, clock::get);
        loop.start();
        return loop;
    }

    /** Runs {@code task} on the loop and waits for its result. */
    <T> T on(java.util.function.Supplier<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(task.get()));
        return f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void tasksFromOtherThreadsAllRunOnTheLoopThreadInTheOrderEachThreadGaveThem() throws Exception {
        started();
        List<int[]> ran = new ArrayList<>(); // touched by the loop thread only
        boolean[] offLoop = {false};
        int threads = 4;
        int each = 2_000;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    int n = i;
                    loop.execute(() -> {
                        offLoop[0] |= !loop.inLoop();
                        ran.add(new int[] {id, n});
                    });
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join(PATIENCE.toMillis());
        }
        List<int[]> seen = on(() -> new ArrayList<>(ran));
        assertEquals(threads * each, seen.size());
        int[] next = new int[threads];
        for (int[] r : seen) {
            assertEquals(next[r[0]]++, r[1], "thread " + r[0] + "'s tasks in its order");
        }
        assertFalse(on(() -> offLoop[0]), "every task ran on the loop thread");
    }

    /** A pipe's read end as a handler: collects bytes, or throws on its first event when told to. */
    final class PipeHandler implements EventLoop.Handler {
        final Pipe pipe = Pipe.open();
        final boolean explode;
        final List<Byte> got = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final List<Long> ticks = new CopyOnWriteArrayList<>();
        volatile long deadline = Long.MAX_VALUE;
        volatile boolean closed;

        PipeHandler(boolean explode) throws IOException {
            this.explode = explode;
            pipe.source().configureBlocking(false);
        }

        void register() throws IOException {
            pipe.source().register(loop.selector(), SelectionKey.OP_READ, this);
            loop.add(this);
        }

        void send(int b) throws IOException {
            pipe.sink().write(ByteBuffer.wrap(new byte[] {(byte) b}));
        }

        @Override
        public void onReady(SelectionKey key) throws IOException {
            if (explode) {
                throw new IllegalStateException("boom");
            }
            ByteBuffer b = ByteBuffer.allocate(64);
            pipe.source().read(b);
            b.flip();
            while (b.hasRemaining()) {
                got.add(b.get());
            }
        }

        @Override
        public void onFailure(Throwable t) {
            failures.add(t);
            close();
        }

        @Override
        public void onTick(long now) {
            ticks.add(now);
            if (now >= deadline) {
                close();
            }
        }

        @Override
        public void abort(String why) {
            close();
        }

        @Override
        public ConnectionInfo info(long now) {
            return new ConnectionInfo("test", "pipe", null, null, closed ? "closed" : "open", null, got.size(), 0, 0);
        }

        void close() {
            if (!closed) {
                closed = true;
                loop.remove(this);
                loop.close(pipe.source());
            }
        }
    }

    @Test
    void aHandlerThatThrowsIsClosedAloneAndTheLoopServesTheOthers() throws Exception {
        started();
        PipeHandler bad = new PipeHandler(true);
        PipeHandler good = new PipeHandler(false);
        on(() -> {
            try {
                bad.register();
                good.register();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        bad.send(1);
        good.send(2);
        await().atMost(PATIENCE).until(() -> bad.closed && good.got.size() == 1);
        assertEquals(1, bad.failures.size());
        assertEquals("boom", bad.failures.get(0).getMessage());
        assertFalse(good.closed);
        good.send(3);
        await().atMost(PATIENCE).until(() -> good.got.size() == 2);
        assertEquals(List.of((byte) 2, (byte) 3), good.got);
        assertEquals(1, on(loop::liveCount), "only the failed handler left the loop");
        assertFalse(on(() -> bad.pipe.source().isOpen()), "its channel closed once the select dropped it");
    }

    @Test
    void ticksFollowTheLoopClockAndEnforceDeadlines() throws Exception {
        started();
        PipeHandler h = new PipeHandler(false);
        h.deadline = 6_000;
        on(() -> {
            try {
                h.register();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        on(() -> null); // a whole loop turn with the clock standing still
        assertTrue(h.ticks.isEmpty(), "no tick before the clock reaches the next tick time: " + h.ticks);
        clock.set(5_999);
        loop.execute(() -> { }); // wakes the loop, which looks at the clock again
        await().atMost(PATIENCE).until(() -> h.ticks.contains(5_999L));
        assertFalse(h.closed, "before its deadline");
        clock.set(6_050); // past the deadline, but the next tick is due at 5 999 + TICK_MILLIS
        on(() -> null);
        assertEquals(List.of(5_999L), h.ticks);
        assertFalse(h.closed, "deadlines are looked at on ticks only");
        clock.set(5_999 + EventLoop.TICK_MILLIS);
        loop.execute(() -> { });
        await().atMost(PATIENCE).until(() -> h.closed);
        assertEquals(List.of(5_999L, 5_999 + EventLoop.TICK_MILLIS), h.ticks);
        assertEquals(0, on(loop::liveCount));
    }

    @Test
    void stopAbortsTheLiveHandlersAndEndsTheThread() throws Exception {
        started();
        PipeHandler h = new PipeHandler(false);
        on(() -> {
            try {
                h.register();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        loop.stop();
        loop.join(PATIENCE.toMillis());
        assertTrue(h.closed);
        assertFalse(h.pipe.source().isOpen());
        assertFalse(loop.selector().isOpen());
        loop = null;
    }
}
