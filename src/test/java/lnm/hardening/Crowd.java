package lnm.hardening;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A crowd of hostile connections on one selector thread: thousands of sockets that connect and
 * then send nothing (a flood) or dribble the bytes of a hello, one every few seconds (a
 * slowloris), never finishing it. The crowd notes when the server closes each one; with
 * {@code replace} on, each one closed is replaced by a new one, so the pressure stays up.
 */
final class Crowd implements AutoCloseable {
    /** One member's life, times in {@link System#nanoTime()}. */
    static final class Member {
        final InetAddress from;
        SocketChannel ch;
        /** Before connect() was called: the server cannot have accepted it earlier. */
        long startedAt;
        long connectedAt;
        long closedAt;
        /** "eof", "reset", "write-failed", "connect-failed", or "us" when the crowd closed it. */
        String end;
        int sent;
        long nextSendAt;

        Member(InetAddress from) {
            this.from = from;
        }

        /** From our connect() call to the server's close as we saw it: never shorter than the server's view. */
        long lifeMillis() {
            return (closedAt - startedAt) / 1_000_000;
        }
    }

    /** Loopback addresses 127.0.{third}.1 to 127.0.{third}.n, as that many distinct sources. */
    static List<InetAddress> sources(int third, int n) {
        List<InetAddress> l = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            try {
                l.add(InetAddress.getByAddress(new byte[] {127, 0, (byte) third, (byte) i}));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return l;
    }

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Member> due = new PriorityQueue<>((a, b) -> Long.compare(a.nextSendAt, b.nextSendAt));
    private final Set<Member> live = new HashSet<>();
    private final SplittableRandom rnd = new SplittableRandom(0xc0_d0L);
    private final ByteBuffer scratch = ByteBuffer.allocate(4096);
    /** Members that ended, in the order they did. */
    final Queue<Member> ended = new ConcurrentLinkedQueue<>();
    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger closedByServer = new AtomicInteger();
    final AtomicInteger connectFailed = new AtomicInteger();
    private volatile boolean running = true;
    private volatile boolean replace;
    private InetSocketAddress target;
    private byte[] dribble;
    private long intervalNanos;

    Crowd(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "crowd-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Opens {@code n} connections to {@code to}, spread over the {@code from} addresses.
     *
     * @param dribble  bytes to send one at a time (all but the last), or null to send nothing
     * @param interval mean time between two bytes of one connection (each varies by ±25%)
     * @param replace  open a new connection for each one the server closes
     */
    void open(InetSocketAddress to, List<InetAddress> from, int n, byte[] dribble, long intervalMillis, boolean replace) {
        execute(() -> {
            this.target = to;
            this.dribble = dribble;
            this.intervalNanos = intervalMillis * 1_000_000L;
            this.replace = replace;
            for (int i = 0; i < n; i++) {
                connect(new Member(from.get(i % from.size())));
            }
        });
    }

    /** Stops replacing members the server closes. */
    void stopReplacing() {
        replace = false;
    }

    /** Members still open (approximate off the crowd's thread). */
    int live() {
        return live.size();
    }

    /** Closes every member from our side; returns how many were still open. */
    int closeAll() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        execute(() -> {
            replace = false;
            int n = live.size();
            for (Member m : new ArrayList<>(live)) {
                end(m, "us", false);
            }
            f.complete(n);
        });
        return f.join();
    }

    private void execute(Runnable r) {
        tasks.add(r);
        selector.wakeup();
    }

    private void connect(Member m) {
        m.startedAt = System.nanoTime();
        try {
            m.ch = SocketChannel.open();
            m.ch.configureBlocking(false);
            m.ch.bind(new InetSocketAddress(m.from, 0));
            live.add(m);
            m.ch.register(selector, SelectionKey.OP_CONNECT, m);
            if (m.ch.connect(target)) {
                connected(m);
            }
        } catch (IOException e) {
            connectFailed.incrementAndGet();
            end(m, "connect-failed", false);
        }
    }

    private void connected(Member m) throws IOException {
        m.connectedAt = System.nanoTime();
        connected.incrementAndGet();
        m.ch.keyFor(selector).interestOps(SelectionKey.OP_READ);
        if (dribble != null) {
            m.nextSendAt = m.connectedAt + (long) (intervalNanos * rnd.nextDouble());
            due.add(m);
        }
    }

    private void run() {
        try {
            while (running) {
                long wait = 50;
                Member next = due.peek();
                if (next != null) {
                    wait = Math.max(1, Math.min(wait, (next.nextSendAt - System.nanoTime()) / 1_000_000));
                }
                selector.select(this::ready, wait);
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
                long now = System.nanoTime();
                while ((next = due.peek()) != null && next.nextSendAt <= now) {
                    due.poll();
                    send(next, now);
                }
            }
        } catch (IOException | RuntimeException e) {
            e.printStackTrace();
        }
    }

    private void ready(SelectionKey k) {
        Member m = (Member) k.attachment();
        try {
            if (k.isConnectable()) {
                if (m.ch.finishConnect()) {
                    connected(m);
                }
                return;
            }
            if (k.isReadable()) {
                int n;
                do {
                    n = m.ch.read(scratch.clear());
                } while (n > 0);
                if (n < 0) {
                    end(m, "eof", true);
                }
            }
        } catch (IOException e) {
            if (m.connectedAt == 0) {
                connectFailed.incrementAndGet();
                end(m, "connect-failed", false);
            } else {
                end(m, "reset", true);
            }
        }
    }

    private void send(Member m, long now) {
        if (m.closedAt != 0 || m.sent >= dribble.length - 1) {
            return;
        }
        try {
            m.ch.write(ByteBuffer.wrap(dribble, m.sent, 1));
            m.sent++;
            m.nextSendAt = now + (long) (intervalNanos * (0.75 + 0.5 * rnd.nextDouble()));
            due.add(m);
        } catch (IOException e) {
            end(m, "write-failed", true);
        }
    }

    private void end(Member m, String how, boolean byServer) {
        if (m.closedAt != 0) {
            return;
        }
        m.closedAt = System.nanoTime();
        m.end = how;
        live.remove(m);
        try {
            if (m.ch != null) {
                m.ch.close();
            }
        } catch (IOException ignored) {
            // already closed
        }
        if (byServer) {
            closedByServer.incrementAndGet();
        }
        ended.add(m);
        if (replace && running && m.connectedAt != 0) {
            connect(new Member(m.from));
        }
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        closeAll();
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
            selector.close();
        } catch (InterruptedException | IOException e) {
            // shutting down
        }
    }
}
