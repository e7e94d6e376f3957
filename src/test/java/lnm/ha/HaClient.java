package lnm.ha;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The peers of the failover measurement (src/test/ha/failover.sh), one JVM per network
 * namespace. Not a test: the script runs it.
 * <pre>
 *   echo PORT                          upstream: echoes every connection until killed
 *   probe HOST PORT SECONDS GAP_MS OUT a new connection every GAP_MS for SECONDS; one line per
 *                                      attempt to OUT: start_ms result elapsed_ms client_port
 *   hold HOST PORT N SECONDS OUT       N connections that each echo a line every 200 ms for
 *                                      SECONDS; OUT.ready once all are connected, then one line
 *                                      per connection to OUT: ok|broken lines detail
 * </pre>
 * Every connect waits at most 1 s and every read 2 s, so no attempt can hang.
 */
public final class HaClient {
    static final int CONNECT_MS = 1_000;
    static final int READ_MS = 2_000;

    private HaClient() {}

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "echo" -> echo(Integer.parseInt(a[1]));
            case "probe" -> probe(a[1], Integer.parseInt(a[2]), Double.parseDouble(a[3]), Integer.parseInt(a[4]), Path.of(a[5]));
            case "hold" -> hold(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Double.parseDouble(a[4]), Path.of(a[5]));
            default -> throw new IllegalArgumentException(a[0]);
        }
    }

    static void echo(int port) throws IOException {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(port), 512);
            for (;;) {
                Socket s = ss.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                        // the client went away
                    }
                });
                t.setDaemon(true);
                t.start();
            }
        }
    }

    /**
     * One connection: connect, send a line, read it back. "RESULT LOCALPORT": ok, refused,
     * reset, timeout, closed or error:..., and the client port (0 when it never connected).
     */
    static String once(String host, int port, int n) {
        int[] local = new int[1];
        return once(host, port, n, local) + " " + local[0];
    }

    private static String once(String host, int port, int n, int[] local) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_MS);
            local[0] = s.getLocalPort();
            s.setSoTimeout(READ_MS);
            byte[] line = ("ping " + n + "\n").getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(line);
            byte[] back = s.getInputStream().readNBytes(line.length);
            return Arrays.equals(back, line) ? "ok" : back.length == 0 ? "closed" : "garbled";
        } catch (ConnectException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("timed out") ? "timeout" : m.contains("No route") ? "unreachable" : "refused";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("reset") ? "reset" : "error:" + m.replace(' ', '_');
        }
    }

    static void probe(String host, int port, double seconds, int gapMs, Path out) throws Exception {
        long end = System.currentTimeMillis() + (long) (seconds * 1000);
        try (PrintStream p = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.US_ASCII)) {
            for (int n = 0; n < 1_000_000 && System.currentTimeMillis() < end; n++) {
                long t0 = System.currentTimeMillis();
                String[] r = once(host, port, n).split(" ");
                long t1 = System.currentTimeMillis();
                p.println(t0 + " " + r[0] + " " + (t1 - t0) + " " + r[1]);
                long sleep = gapMs - (t1 - t0);
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
        }
    }

    static void hold(String host, int port, int n, double seconds, Path out) throws Exception {
        List<Thread> ts = new ArrayList<>();
        String[] results = new String[n];
        CountDownLatch connected = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            Thread t = new Thread(() -> results[k] = holdOne(host, port, seconds, connected));
            t.start();
            ts.add(t);
        }
        connected.await(10, TimeUnit.SECONDS);
        Files.writeString(Path.of(out + ".ready"), "connected\n"); // the script waits for this
        for (Thread t : ts) {
            t.join((long) (seconds * 1000) + 30_000);
        }
        try (PrintStream p = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.US_ASCII)) {
            for (String r : results) {
                p.println(r == null ? "broken 0 still-running" : r);
            }
        }
    }

    private static String holdOne(String host, int port, double seconds, CountDownLatch connected) {
        int lines = 0;
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress(host, port), CONNECT_MS);
            } finally {
                connected.countDown();
            }
            s.setSoTimeout(READ_MS);
            OutputStream o = s.getOutputStream();
            InputStream in = s.getInputStream();
            long end = System.currentTimeMillis() + (long) (seconds * 1000);
            for (int i = 0; i < 100_000 && System.currentTimeMillis() < end; i++) {
                byte[] line = ("line " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                o.write(line);
                if (!Arrays.equals(in.readNBytes(line.length), line)) {
                    return "broken " + lines + " short-read";
                }
                lines++;
                Thread.sleep(200);
            }
            return "ok " + lines + " -";
        } catch (Exception e) {
            return "broken " + lines + " " + String.valueOf(e.getMessage()).replace(' ', '_');
        }
    }
}
