package lnm.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import lnm.config.IpLiteral;

/**
 * Host name lookups off the event loops, with a small cache.
 *
 * <p>The JDK resolver blocks, so lookups run on a few daemon threads and the answer is handed to
 * a callback, which the caller routes back to its loop's task queue. Concurrent lookups of one
 * name share a single query. IP literals are answered at once without touching DNS, read by
 * {@link IpLiteral#address}; digits and dots that are not a valid IPv4 literal are refused.
 */
public final class Resolver implements AutoCloseable {

    /** Either addresses (non-empty) or an error message. */
    public record Answer(List<InetAddress> addresses, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** Plug point for tests and for a resolver other than the JDK's. */
    public interface Lookup {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    private record Cached(Answer answer, long expiresAt) {}

    private final Lookup lookup;
    private final long ttlMillis;
    private final ExecutorService pool;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<Answer>>> inFlight = new ConcurrentHashMap<>();
    public final AtomicLong hits = new AtomicLong();
    public final AtomicLong lookups = new AtomicLong();
    public final AtomicLong failures = new AtomicLong();

    public Resolver(int threads, int cacheSeconds, Lookup lookup) {
        this.lookup = lookup;
        this.ttlMillis = cacheSeconds * 1000L;
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "lnm-resolver");
            t.setDaemon(true);
            return t;
        });
    }

    public Resolver(int threads, int cacheSeconds) {
        this(threads, cacheSeconds, InetAddress::getAllByName);
    }

    /** Resolves {@code host}; {@code done} runs on a resolver thread or, for a cache hit, right here. */
    public void resolve(String host, Consumer<Answer> done) {
        InetAddress literal = IpLiteral.address(host);
        if (literal != null) {
            done.accept(new Answer(List.of(literal), null));
            return;
        }
        if (IpLiteral.looksLikeV4(host)) {
            done.accept(new Answer(List.of(), "not an IPv4 address (four parts 0-255, no leading zeros): " + host));
            return;
        }
        String key = host.toLowerCase(java.util.Locale.ROOT);
        Cached c = cache.get(key);
        if (c != null && c.expiresAt > System.currentTimeMillis()) {
            hits.incrementAndGet();
            done.accept(c.answer);
            return;
        }
        boolean[] first = {false};
        inFlight.compute(key, (k, waiting) -> {
            if (waiting == null) {
                first[0] = true;
                waiting = new java.util.ArrayList<>();
            }
            waiting.add(done);
            return waiting;
        });
        if (!first[0]) {
            return;
        }
        try {
            pool.execute(() -> complete(key, query(key)));
        } catch (RejectedExecutionException e) {
            complete(key, new Answer(List.of(), "resolver overloaded"));
        }
    }

    private Answer query(String host) {
        lookups.incrementAndGet();
        try {
            InetAddress[] all = lookup.lookup(host);
            if (all == null || all.length == 0) {
                failures.incrementAndGet();
                return new Answer(List.of(), "no addresses for " + host);
            }
            return new Answer(List.of(all), null);
        } catch (UnknownHostException e) {
            failures.incrementAndGet();
            return new Answer(List.of(), "unknown host " + host);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            return new Answer(List.of(), "lookup failed: " + e);
        }
    }

    private void complete(String key, Answer a) {
        if (a.ok() && ttlMillis > 0) {
            cache.put(key, new Cached(a, System.currentTimeMillis() + ttlMillis));
        }
        List<Consumer<Answer>> waiting = inFlight.remove(key);
        if (waiting != null) {
            for (Consumer<Answer> w : waiting) {
                w.accept(a);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
