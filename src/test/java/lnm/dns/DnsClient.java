package lnm.dns;

import lnm.testing.Hex;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import lnm.wire.ParseResult;

/** A plain blocking DNS client for integration tests: UDP datagrams and TCP frames on loopback. */
final class DnsClient {
    private DnsClient() {}

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Sends one datagram and returns the answer, or null if none came within {@code timeoutMillis}. */
    static byte[] udp(InetAddress server, int port, byte[] query, int timeoutMillis) throws IOException {
        InetAddress from = server instanceof java.net.Inet6Address ? InetAddress.getByAddress(new byte[16]) : LOOPBACK;
        try (DatagramSocket s = new DatagramSocket(0, from)) {
            s.setSoTimeout(timeoutMillis);
            s.send(new DatagramPacket(query, query.length, new InetSocketAddress(server, port)));
            DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    static byte[] udp(int port, byte[] query) throws IOException {
        return udp(LOOPBACK, port, query, 3000);
    }

    /** The bytes of TCP frames for these messages, back to back. */
    static byte[] frames(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            out.write(m.length >>> 8);
            out.write(m.length);
            out.writeBytes(m);
        }
        return out.toByteArray();
    }

    /** Writes {@code bytes} on a new connection and reads {@code answers} framed answers. */
    static List<byte[]> tcp(int port, byte[] bytes, int answers) throws IOException {
        try (Socket s = new Socket(LOOPBACK, port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            return read(s, answers);
        }
    }

    static List<byte[]> read(Socket s, int answers) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < answers; i++) {
            byte[] m = new byte[in.readUnsignedShort()];
            in.readFully(m);
            out.add(m);
        }
        return out;
    }

    /** Writes one byte at a time, flushing each, as a slow or hostile client would. */
    static void trickle(OutputStream out, byte[] bytes) throws IOException, InterruptedException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
            Thread.sleep(2);
        }
    }

    static DnsMessage parse(byte[] b) {
        ParseResult<DnsMessage> r = DnsParser.parse(ByteBuffer.wrap(b));
        if (r instanceof ParseResult.Parsed<DnsMessage> p) {
            return p.value();
        }
        throw new AssertionError("answer does not parse: " + r + " " + Hex.of(b));
    }

    static byte[] query(int id, String name, int type, int udpSize) {
        return DnsWriter.query(id, DnsName.of(name), type, udpSize);
    }

    /** The addresses in an answer. */
    static List<InetAddress> addresses(byte[] answer) {
        return QueryHandler.addresses(parse(answer));
    }
}
