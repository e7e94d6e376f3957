package lnm.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The JDK's own HTTP server on loopback, with TLS from {@link TestPki} ({@link #https()}) or
 * without ({@link #http()}). Every request is answered {@code 200 hello}; what it saw
 * ({@code METHOD host path}) is recorded, which shows what reached it through the proxy.
 */
public final class HttpsTestServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "http-test-server");
        t.setDaemon(true);
        return t;
    });
    public final List<String> requests = new CopyOnWriteArrayList<>();

    private HttpsTestServer(boolean tls) throws IOException {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls) {
            HttpsServer s = HttpsServer.create(at, 100);
            s.setHttpsConfigurator(new HttpsConfigurator(TestPki.get().serverContext()));
            server = s;
        } else {
            server = HttpServer.create(at, 100);
        }
        server.createContext("/", this::answer);
        server.setExecutor(pool);
        server.start();
    }

    public static HttpsTestServer https() throws IOException {
        return new HttpsTestServer(true);
    }

    public static HttpsTestServer http() throws IOException {
        return new HttpsTestServer(false);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void answer(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] in = ex.getRequestBody().readAllBytes();
            requests.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Host") + " " + ex.getRequestURI()
                    + (in.length > 0 ? " body=" + in.length : ""));
            byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
