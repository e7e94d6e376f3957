package lnm.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import lnm.config.IpLiteral;

/**
 * A plant DNS server stand-in on loopback: answers every query with one A record (or stays
 * silent), and remembers what it received, from where, and what it sent.
 */
final class FakeUpstream implements AutoCloseable {
    final DatagramSocket socket;
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    /** Where each received query came from, in step with {@link #received} (added first). */
    final List<InetSocketAddress> senders = new CopyOnWriteArrayList<>();
    final List<byte[]> sent = new CopyOnWriteArrayList<>();
    volatile boolean silent;
    volatile InetAddress answer = IpLiteral.address("192.0.2.53");
    /** When above 0: every answer is TXT records carrying this many bytes of text (an exfiltration reply). */
    volatile int txtBytes;
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
                senders.add((InetSocketAddress) p.getSocketAddress());
                received.add(q);
                if (silent) {
                    continue;
                }
                byte[] r = txtBytes > 0 ? txt(q, txtBytes)
                        : DnsWriter.answer(DnsClient.parse(q), 0, false, List.of(answer), 30, 65535);
                r[3] |= (byte) 0x80; // RA: a recursive server
                sent.add(r);
                socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a query the writer cannot answer: ignore
            }
        }
    }

    /** A response to {@code q} (its header and question, no OPT) with TXT records of {@code bytes} text bytes. */
    static byte[] txt(byte[] q, int bytes) {
        DnsMessage m = DnsClient.parse(q);
        int questionEnd = DnsParser.HEADER + m.question().name().wireLength() + 4;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(q, 0, questionEnd);
        int records = 0;
        for (int left = bytes; left > 0; records++) {
            int n = Math.min(left, 255);
            left -= n;
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 30, (byte) ((n + 1) >>> 8), (byte) (n + 1), (byte) n});
            byte[] text = new byte[n];
            Arrays.fill(text, (byte) 'x');
            out.writeBytes(text);
        }
        byte[] r = out.toByteArray();
        r[2] |= (byte) 0x80; // QR
        r[3] = (byte) 0x80; // RA, NOERROR
        r[6] = (byte) (records >>> 8);
        r[7] = (byte) records;
        r[10] = 0; // no additional records (the query's OPT is not echoed)
        r[11] = 0;
        return r;
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
