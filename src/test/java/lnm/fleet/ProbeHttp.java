package lnm.fleet;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One HTTP/1.1 request over a fresh connection from a chosen loopback source address, read to
 * the server's close ({@code Connection: close}, as the side ports answer): how the side-port
 * attack test sends its forged pulls and its probes, each from the address it stands for.
 */
final class ProbeHttp {
    /** More than any answer of the side ports (a bundle, the status page, /metrics). */
    private static final int MAX_REPLY = 4 << 20;

    /**
     * What came back.
     *
     * @param status the status code, or -1 when no status line came
     * @param nanos  from before the connect to the end of the answer
     * @param error  why no status came (connect failed, reset, timeout), else null
     */
    record Reply(int status, byte[] body, long nanos, String error) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        long millis() {
            return nanos / 1_000_000;
        }

        @Override
        public String toString() {
            String t = text().trim();
            return (error != null ? error : String.valueOf(status)) + " in " + millis() + " ms"
                    + (t.isEmpty() ? "" : ": " + (t.length() > 200 ? t.substring(0, 200) + "..." : t));
        }
    }

    private ProbeHttp() {}

    static Reply get(InetAddress from, int port, String path, int timeoutMillis) {
        return exchange(from, port, "GET", path, null, timeoutMillis);
    }

    static Reply post(InetAddress from, int port, String path, byte[] body, int timeoutMillis) {
        return exchange(from, port, "POST", path, body, timeoutMillis);
    }

    /** Sends the request from {@code from} to 127.0.0.1:{@code port} and reads the whole answer. */
    static Reply exchange(InetAddress from, int port, String method, String path, byte[] body, int timeoutMillis) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + (body == null ? "" : "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length + "\r\n")
                    + "Connection: close\r\n\r\n";
            String sendError = null;
            try {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException e) {
                sendError = "send failed (" + e.getMessage() + ")"; // refused before it read all: its answer may still be there
            }
            byte[] all;
            try {
                all = s.getInputStream().readNBytes(MAX_REPLY);
            } catch (IOException e) {
                return new Reply(-1, new byte[0], System.nanoTime() - t0, (sendError == null ? "" : sendError + ", ") + "read failed ("
                        + e.getMessage() + ")");
            }
            return parse(all, System.nanoTime() - t0, sendError);
        } catch (IOException e) {
            return new Reply(-1, new byte[0], System.nanoTime() - t0, "connect failed (" + e.getMessage() + ")");
        }
    }

    private static Reply parse(byte[] all, long nanos, String sendError) {
        int end = -1;
        for (int i = 0; i + 3 < all.length; i++) {
            if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        String head = new String(all, 0, Math.max(end, 0), StandardCharsets.ISO_8859_1);
        if (end < 0 || !head.startsWith("HTTP/1.1 ") || head.length() < 12) {
            return new Reply(-1, all, nanos, (sendError == null ? "" : sendError + ", ") + "no answer (" + all.length + " bytes)");
        }
        try {
            int status = Integer.parseInt(head.substring(9, 12));
            return new Reply(status, Arrays.copyOfRange(all, end + 4, all.length), nanos, null);
        } catch (NumberFormatException e) {
            return new Reply(-1, all, nanos, "bad status line: " + head.lines().findFirst().orElse(""));
        }
    }
}
