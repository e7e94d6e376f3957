package lnm.fleet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Connections to the side ports that send one byte of a request and then keep still, opened
 * from several source addresses; {@link #poll} notes when the server closes each one (and
 * whether it said anything first), so the test can tell how many it closed and after how long.
 * Thread-safe: openers add while a watcher polls.
 */
final class HeldConnections implements AutoCloseable {
    private static final class One {
        final SocketChannel channel;
        final String port;
        final long openedNanos;
        boolean gone;

        One(SocketChannel channel, String port, long openedNanos) {
            this.channel = channel;
            this.port = port;
            this.openedNanos = openedNanos;
        }
    }

    /** Per port: how many were opened, failed to open, got bytes before the close, were closed by the server. */
    record Counts(int opened, int failed, int answered, int closed, Map<Long, Integer> closedAfterSeconds,
            double firstCloseSeconds, double lastCloseSeconds) {}

    private final long startNanos;
    private final List<One> all = new ArrayList<>();
    private final Map<String, Integer> failed = new TreeMap<>();
    private final Map<String, Integer> answered = new TreeMap<>();
    private final Map<String, Map<Long, Integer>> closedAfter = new TreeMap<>();
    private final Map<String, double[]> closeSpan = new TreeMap<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(1024);

    /** @param startNanos the hold's start, for the span of closes */
    HeldConnections(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Opens {@code count} connections from {@code from} to 127.0.0.1:{@code port}, {@code pace} a second, each sending {@code first}. */
    void open(InetAddress from, int port, String name, int count, int pace, byte first) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = t0 + i * 1_000_000_000L / pace - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.bind(new InetSocketAddress(from, 0));
                ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                ch.write(ByteBuffer.wrap(new byte[] {first}));
                ch.configureBlocking(false);
                synchronized (this) {
                    all.add(new One(ch, name, System.nanoTime()));
                }
            } catch (IOException e) {
                synchronized (this) {
                    failed.merge(name, 1, Integer::sum);
                }
                closeQuietly(ch);
            }
        }
    }

    /** Reads what each open connection has; notes the ones the server closed. */
    synchronized void poll() {
        long now = System.nanoTime();
        for (One c : all) {
            if (c.gone) {
                continue;
            }
            boolean closed;
            try {
                scratch.clear();
                int n = c.channel.read(scratch);
                if (n > 0) {
                    answered.merge(c.port, 1, Integer::sum);
                    while (n > 0) {
                        scratch.clear();
                        n = c.channel.read(scratch);
                    }
                }
                closed = n < 0;
            } catch (IOException reset) {
                closed = true;
            }
            if (closed) {
                c.gone = true;
                closedAfter.computeIfAbsent(c.port, k -> new TreeMap<>()).merge((now - c.openedNanos) / 1_000_000_000L, 1, Integer::sum);
                double at = (now - startNanos) / 1e9;
                double[] span = closeSpan.computeIfAbsent(c.port, k -> new double[] {at, at});
                span[0] = Math.min(span[0], at);
                span[1] = Math.max(span[1], at);
                closeQuietly(c.channel);
            }
        }
    }

    /** What happened on the port named {@code name}. */
    synchronized Counts counts(String name) {
        int opened = 0;
        int closed = 0;
        for (One c : all) {
            if (c.port.equals(name)) {
                opened++;
                closed += c.gone ? 1 : 0;
            }
        }
        double[] span = closeSpan.getOrDefault(name, new double[] {-1, -1});
        return new Counts(opened, failed.getOrDefault(name, 0), answered.getOrDefault(name, 0), closed,
                new TreeMap<>(closedAfter.getOrDefault(name, Map.of())), span[0], span[1]);
    }

    @Override
    public synchronized void close() {
        for (One c : all) {
            closeQuietly(c.channel);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
