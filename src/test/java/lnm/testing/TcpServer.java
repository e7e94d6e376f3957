package lnm.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A plain TCP server on loopback whose per-connection behaviour the test supplies. */
public final class TcpServer implements AutoCloseable {
    /** Handles one accepted socket; exceptions end that connection only. */
    public interface Handler {
        void handle(Socket s) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-server");
        t.setDaemon(true);
        return t;
    });

    public TcpServer(Handler handler) throws IOException {
        server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        pool.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    pool.execute(() -> {
                        try (s) {
                            s.setSoTimeout(30_000);
                            handler.handle(s);
                        } catch (Exception e) {
                            // the test's client side reports what went wrong
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
