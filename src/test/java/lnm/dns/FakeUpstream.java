package lnm.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plant DNS server stand-in on loopback: answers every query with one A record (or stays
 * silent), and remembers what it received and what it sent.
 */
final class FakeUpstream implements AutoCloseable {
    final DatagramSocket socket;
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    final List<byte[]> sent = new CopyOnWriteArrayList<>();
    volatile boolean silent;
    volatile InetAddress answer = Literals.parse("192.0.2.53");
    private final Thread thread;

    FakeUpstream() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "fake-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[65535];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                byte[] q = Arrays.copyOf(p.getData(), p.getLength());
                received.add(q);
                if (silent) {
                    continue;
                }
                byte[] r = DnsWriter.answer(DnsClient.parse(q), 0, false, List.of(answer), 30, 65535);
                r[3] |= (byte) 0x80; // RA: a recursive server
                sent.add(r);
                socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a query the writer cannot answer: ignore
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
