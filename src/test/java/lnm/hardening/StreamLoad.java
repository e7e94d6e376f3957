package lnm.hardening;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import lnm.testing.Hellos;

/**
 * Verified streams through lnm: an upstream that answers what each client asks for, and clients
 * that ask. A client sends a real ClientHello for {@link #name}, a 12-byte header (id, mode,
 * how many bytes the upstream should send back), then its own stream; {@link #check} then
 * compares byte counts and SHA-256 of both directions at both ends.
 *
 * <p>Modes: 0 both stream at once; 1 the upstream answers after the client's FIN; 2 the client
 * streams after the upstream's FIN; 3 the client reads slowly; 4 the upstream reads slowly.
 * No JUnit in here: the soak run uses it too.
 */
final class StreamLoad implements AutoCloseable {
    final String name;
    final byte[] hello;
    final Streams upstream;
    final Streams clients;
    private final Map<Integer, Streams.Side> upstreamSides = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Streams.Side>> upstreamDone = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();

    /** One finished connection as both ends saw it. */
    record Result(int id, Streams.Side client, long expectUp, long expectDown) {}

    StreamLoad(String name) throws IOException {
        this.name = name;
        this.hello = Hellos.clientHello(name);
        int h = hello.length;
        this.upstream = Streams.server("upstream", InetAddress.getLoopbackAddress(), h + 12, head -> {
            ByteBuffer b = ByteBuffer.wrap(head, h, 12);
            int id = b.getInt();
            int mode = b.getInt();
            int down = b.getInt();
            return new Streams.Spec(new byte[0], down, id * 7919L + 1, mode == 1, mode == 4 ? 3 : 0);
        }, s -> {
            if (s.head() != null) {
                int id = ByteBuffer.wrap(s.head(), h, 4).getInt();
                upstreamSides.put(id, s);
                upstreamDone.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(s);
            }
        });
        this.clients = new Streams("clients");
    }

    int port() {
        return upstream.port();
    }

    /** The allowlist line that sends {@link #name} to this upstream. */
    String rule() {
        return name + " = 127.0.0.1:" + port() + "\n";
    }

    CompletableFuture<Result> start(InetSocketAddress proxy, InetAddress from, int mode, long upSize, long downSize) {
        int id = nextId.getAndIncrement();
        byte[] header = ByteBuffer.allocate(12).putInt(id).putInt(mode).putInt((int) downSize).array();
        byte[] prefix = HelloBuilder.cat(hello, header);
        Streams.Spec spec = new Streams.Spec(prefix, upSize, id * 104729L + 3, mode == 2, mode == 3 ? 3 : 0);
        return clients.connect(proxy, from, spec).thenApply(c -> new Result(id, c, prefix.length + upSize, downSize));
    }

    /** A random mode and sizes from 0 bytes to 2 MiB (most small, some large). */
    CompletableFuture<Result> startRandom(InetSocketAddress proxy, InetAddress from, SplittableRandom rnd) {
        int k = rnd.nextInt(10);
        int mode = k < 4 ? 0 : k < 6 ? 1 : k < 8 ? 2 : k < 9 ? 3 : 4;
        return start(proxy, from, mode, size(rnd), size(rnd));
    }

    static long size(SplittableRandom rnd) {
        int k = rnd.nextInt(100);
        if (k < 10) {
            return 0;
        }
        if (k < 35) {
            return rnd.nextInt(200);
        }
        if (k < 75) {
            return 1024 + rnd.nextInt(63 * 1024);
        }
        if (k < 95) {
            return 64 * 1024 + rnd.nextInt(960 * 1024);
        }
        return 1024 * 1024 + rnd.nextInt(1024 * 1024);
    }

    /** The upstream's side of a connection, waiting up to 5 s for it to finish. */
    Streams.Side upstreamSide(int id) {
        return upstreamSide(id, 5_000);
    }

    /** The upstream's side of a connection, waiting up to {@code millis} for it to finish. */
    Streams.Side upstreamSide(int id, long millis) {
        try {
            return upstreamDone.computeIfAbsent(id, k -> new CompletableFuture<>()).get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return upstreamSides.get(id);
        }
    }

    /** Null when both directions arrived whole and equal, else what is wrong. */
    String check(Result r) {
        Streams.Side c = r.client();
        if (c.error != null) {
            return "connection " + r.id() + " client failed: " + c.describe();
        }
        // Its end finishes a moment after ours; a connection that failed early may have none.
        // A client refused by lnm (at a limit) may still see a clean end, having received nothing.
        boolean looksWhole = c.error == null && (c.received > 0 || r.expectDown() == 0);
        Streams.Side u = upstreamSide(r.id(), looksWhole ? 5_000 : 300);
        if (u == null) {
            return "connection " + r.id() + " never reached the upstream: " + c.describe();
        }
        if (u.error != null) {
            return "connection " + r.id() + " upstream failed: " + u.describe();
        }
        if (c.sent != r.expectUp() || u.received != c.sent || !Arrays.equals(c.sentHash(), u.recvHash())) {
            return "connection " + r.id() + " up: client sent " + c.sent + "/" + r.expectUp() + " sha " + Streams.hex(c.sentHash())
                    + ", upstream got " + u.received + " sha " + Streams.hex(u.recvHash());
        }
        if (u.sent != r.expectDown() || c.received != u.sent || !Arrays.equals(u.sentHash(), c.recvHash())) {
            return "connection " + r.id() + " down: upstream sent " + u.sent + "/" + r.expectDown() + " sha " + Streams.hex(u.sentHash())
                    + ", client got " + c.received + " sha " + Streams.hex(c.recvHash());
        }
        return null;
    }

    /** Bytes of payload both ways of a checked connection. */
    long bytes(Result r) {
        return r.client().sent + r.client().received;
    }

    @Override
    public void close() {
        clients.close();
        upstream.close();
    }
}
