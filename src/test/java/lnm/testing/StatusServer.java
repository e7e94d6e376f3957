package lnm.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A loopback HTTP server that answers every request with one status line and a fixed body, until closed. */
public final class StatusServer {
    private StatusServer() {}

    /** Starts it with an empty body; close the returned socket to stop it. At most 1,000 requests are answered. */
    public static ServerSocket start(String status) throws IOException {
        return start(status, "");
    }

    /** Starts it answering with {@code body} (ASCII); close the returned socket to stop it. */
    public static ServerSocket start(String status, String body) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            for (int i = 0; i < 1000 && !ss.isClosed(); i++) {
                try (Socket s = ss.accept()) {
                    s.getInputStream().read(new byte[1024]);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }
}
