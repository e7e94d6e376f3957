package lnm.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * The JDK's HTTP server as lnm's side ports use it (the admin endpoint, the fleet port): two
 * worker threads and a short queue, so such a port never takes memory or threads from the
 * proxied traffic. When the queue is full the dispatcher thread answers itself, which slows
 * those clients down instead of queueing without bound.
 */
public final class SmallHttpServer {
    private final HttpServer http;
    private final ThreadPoolExecutor executor;

    /** Binds, and serves every path with {@code handler}. */
    public SmallHttpServer(InetSocketAddress bind, String threadName, HttpHandler handler) throws IOException {
        this.http = HttpServer.create(bind, 64);
        this.executor = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        http.setExecutor(executor);
        http.createContext("/", handler);
        http.start();
    }

    /** The bound address (the real port when configured as 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    public void stop() {
        http.stop(0);
        executor.shutdownNow();
    }
}
