package lnm.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;

import lnm.testing.Hellos;
import lnm.testing.TcpServer;

/** Plain-socket traffic through lnm to an echo upstream: a ClientHello, then raw bytes. */
final class Traffic {
    private Traffic() {}

    /** An upstream that echoes everything, then closes its side when the client does. */
    static TcpServer echoServer() throws IOException {
        return new TcpServer(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[16 * 1024];
            int n;
            while ((n = in.read(b)) > 0) {
                out.write(b, 0, n);
            }
            s.shutdownOutput();
        });
    }

    /**
     * Sends a hello for {@code sni} and says whether it came back from the echo upstream
     * (allowed) or lnm refused it (a TLS alert, then close).
     */
    static boolean allowed(int port, String sni) throws IOException {
        byte[] hello = Hellos.clientHello(sni);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(hello);
            byte[] back = c.getInputStream().readNBytes(hello.length);
            if (Arrays.equals(hello, back)) {
                return true;
            }
            if (back.length > 0 && back[0] == 0x15) {
                return false; // alert record
            }
            throw new AssertionError("neither an echo nor an alert: " + back.length + " bytes");
        }
    }

    /** Deterministic payload bytes for chunk {@code i} of stream {@code s}. */
    static byte[] chunk(int s, int i, int len) {
        byte[] b = new byte[len];
        int x = s * 7919 + i * 104729 + 1;
        for (int k = 0; k < len; k++) {
            x = x * 1103515245 + 12345;
            b[k] = (byte) (x >>> 16);
        }
        return b;
    }
}
