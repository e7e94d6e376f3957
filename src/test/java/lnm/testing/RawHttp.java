package lnm.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * Requests written byte for byte, for tests that send what no HTTP client would (a foreign Host,
 * a broken head) and read whatever comes back until the server closes.
 */
public final class RawHttp {
    /** Guards a test against a hang; never a judgement of time. */
    public static final int GUARD_MILLIS = 30_000;

    private RawHttp() {}

    /** Sends {@code request} on a new connection and reads until the server closes it. */
    public static String exchange(InetSocketAddress to, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, GUARD_MILLIS);
            s.setSoTimeout(GUARD_MILLIS);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return readAll(s.getInputStream());
        }
    }

    /** Everything until the end of the stream; a reset after some bytes keeps what was read. */
    public static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        try {
            for (int n; (n = in.read(b)) >= 0; ) {
                out.write(b, 0, n);
            }
        } catch (SocketException e) {
            // a reset after the answer: what was read stands
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads a head up to and including its empty line (at most 8 KiB, or less at end of stream). */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n") && b.size() < 8192) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** A loopback port nothing listens on (bound and closed again). */
    public static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
