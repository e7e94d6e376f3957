package lnm.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/** A plain blocking TCP client on loopback that reports how its connection ended, and when. */
final class Client implements AutoCloseable {
    /** The alert lnm sends when it refuses after the hello: 15 03 03 00 02 02 description. */
    static byte[] alert(int description) {
        return new byte[] {21, 3, 3, 0, 2, 2, (byte) description};
    }

    /**
     * How the read side ended: bytes received, then end of stream, a reset, or nothing within
     * the time allowed; {@code millis} from the start of {@link #drain} to that end.
     */
    record End(byte[] bytes, boolean eof, boolean reset, boolean timedOut, long millis) {
        boolean closed() {
            return eof || reset;
        }

        @Override
        public String toString() {
            return (eof ? "EOF" : reset ? "reset" : "still open") + " after " + millis + " ms with " + bytes.length
                    + " byte(s)" + (bytes.length > 0 && bytes.length <= 16 ? " " + Arrays.toString(bytes) : "");
        }
    }

    final Socket socket;

    private Client(Socket s) {
        this.socket = s;
    }

    static Client connect(InetSocketAddress to) throws IOException {
        return connect(to, null);
    }

    static Client connect(InetSocketAddress to, InetAddress from) throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.setTcpNoDelay(true);
        s.connect(to, 5_000);
        return new Client(s);
    }

    Client send(byte[] b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads until end of stream, a reset, or {@code within} has passed. */
    End drain(Duration within) throws IOException {
        long t0 = System.nanoTime();
        long until = t0 + within.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        while (true) {
            long left = (until - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return new End(got.toByteArray(), false, false, true, ms(t0));
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                int n = in.read(buf);
                if (n < 0) {
                    return new End(got.toByteArray(), true, false, false, ms(t0));
                }
                got.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                return new End(got.toByteArray(), false, false, true, ms(t0));
            } catch (SocketException e) {
                return new End(got.toByteArray(), false, true, false, ms(t0));
            }
        }
    }

    /** Reads exactly {@code n} bytes (fails on a short stream). */
    byte[] read(int n, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        byte[] b = socket.getInputStream().readNBytes(n);
        if (b.length != n) {
            throw new IOException("stream ended after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
