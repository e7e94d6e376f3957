package lnm.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A real TLS server (the JDK's {@code SSLServerSocket}) on loopback that echoes every byte back
 * and passes on a close_notify / end of stream as its own half-close. Records the SNI names
 * clients asked for, which shows what reached it through the proxy.
 */
public final class TlsEchoServer implements AutoCloseable {
    private final SSLServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tls-echo");
        t.setDaemon(true);
        return t;
    });
    public final List<String> sniSeen = new CopyOnWriteArrayList<>();

    public TlsEchoServer() throws IOException {
        server = (SSLServerSocket) TestPki.get().serverContext().getServerSocketFactory()
                .createServerSocket(0, 200, InetAddress.getLoopbackAddress());
        server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        pool.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                pool.execute(() -> echo(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echo(SSLSocket s) {
        try (s) {
            s.setSoTimeout(30_000);
            s.startHandshake();
            if (s.getSession() instanceof ExtendedSSLSession ext) {
                for (SNIServerName n : ext.getRequestedServerNames()) {
                    if (n instanceof SNIHostName h) {
                        sniSeen.add(h.getAsciiName());
                    }
                }
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            s.shutdownOutput();
        } catch (SocketException e) {
            // client went away
        } catch (IOException e) {
            // handshake refused etc.: the client side of the test reports it
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
