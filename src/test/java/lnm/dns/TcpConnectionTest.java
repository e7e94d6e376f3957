package lnm.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import lnm.config.Config;
import lnm.config.LoadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One DNS-over-TCP connection driven by hand over a scripted channel, so backpressure can be
 * made to happen exactly: the peer stops reading, answers pile up to the limit, and queries
 * already read must still be answered once the answers drain.
 */
class TcpConnectionTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    @TempDir
    Path dir;

    /** A channel whose reads come from a script and whose writes are taken only while {@code writable}. */
    static class ScriptedChannel extends SocketChannel {
        final ByteBuffer input;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        boolean writable;
        boolean eof;

        ScriptedChannel(byte[] input) {
            super(SelectorProvider.provider());
            this.input = ByteBuffer.wrap(input);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!input.hasRemaining()) {
                return eof ? -1 : 0;
            }
            int n = Math.min(dst.remaining(), input.remaining());
            ByteBuffer slice = input.slice();
            slice.limit(n);
            dst.put(slice);
            input.position(input.position() + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            if (!writable) {
                return 0;
            }
            int n = src.remaining();
            byte[] b = new byte[n];
            src.get(b);
            written.writeBytes(b);
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SocketChannel bind(SocketAddress local) {
            return this;
        }

        @Override
        public <T> SocketChannel setOption(SocketOption<T> name, T value) {
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) {
            return null;
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of();
        }

        @Override
        public SocketChannel shutdownInput() {
            return this;
        }

        @Override
        public SocketChannel shutdownOutput() {
            return this;
        }

        @Override
        public Socket socket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public boolean isConnectionPending() {
            return false;
        }

        @Override
        public boolean connect(SocketAddress remote) {
            return true;
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return CLIENT;
        }

        @Override
        public SocketAddress getLocalAddress() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);
        }

        @Override
        protected void implCloseSelectableChannel() {
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }
    }

    Config config(String... lines) throws IOException {
        Files.writeString(dir.resolve("allowlist.properties"), "management.azure.com = direct\n");
        Files.writeString(dir.resolve("lnm.properties"), "listen.https = 443\nadmin.listen = off\n" + String.join("\n", lines) + "\n");
        LoadResult r = Config.load(dir.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        return r.config();
    }

    static List<byte[]> answers(byte[] stream) {
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(stream);
        while (b.remaining() >= 2) {
            byte[] m = new byte[b.getShort() & 0xffff];
            b.get(m);
            out.add(m);
        }
        return out;
    }

    @Test
    void queriesHeldBackByBackpressureAreAnsweredWhenTheAnswersDrain() throws IOException {
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 64; i++) {
            many.append(i > 1 ? ", " : "").append("fd00::").append(Integer.toHexString(i));
        }
        Config c = config("dns.answer = " + many, "dns.rateLimit = 0");
        DnsCounters counters = new DnsCounters();
        QueryHandler h = new QueryHandler(() -> c, counters, null, () -> null, a -> Responder.Local.NONE, System::nanoTime, 10);
        // 38 queries of 40 framed bytes, read 512 bytes at a time until all are in. Each
        // answer is 1832 framed bytes, so the 36th reaches the 64 KB limit with 2 queries held.
        int n = 38;
        byte[][] queries = new byte[n][];
        for (int i = 0; i < n; i++) {
            queries[i] = DnsClient.query(i, "management.azure.com", DnsCodes.TYPE_AAAA, 0);
        }
        ScriptedChannel ch = new ScriptedChannel(DnsClient.frames(queries));
        TcpConnection conn = new TcpConnection(ch, CLIENT, InetAddress.getLoopbackAddress(), h, counters, () -> 0, null);
        for (int i = 0; i < 5; i++) {
            conn.readable();
            conn.writable(); // the peer is not reading: nothing goes
        }
        assertFalse(ch.input.hasRemaining(), "every query byte has been read");
        assertEquals(36, counters.get(DnsResult.ANSWERED), "stopped at the limit");
        ch.writable = true;
        conn.writable(); // no more input will come: only draining can wake the held queries
        conn.writable();
        List<byte[]> got = answers(ch.written.toByteArray());
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, DnsClient.parse(got.get(i)).id());
        }
        assertEquals(n, counters.get(DnsResult.ANSWERED));
        assertFalse(conn.closed());
        ch.eof = true;
        conn.readable();
        assertTrue(conn.closed(), "EOF with everything answered closes");
        assertEquals(TcpConnection.Close.DONE, conn.closeReason());
    }

    @Test
    void idleConnectionHoldsNoBufferAndClosesAtTheQueryDeadline() throws IOException {
        Config c = config();
        DnsCounters counters = new DnsCounters();
        QueryHandler h = new QueryHandler(() -> c, counters, null, () -> null, a -> Responder.Local.NONE, System::nanoTime, 10);
        ScriptedChannel ch = new ScriptedChannel(DnsClient.frames(DnsClient.query(1, "example.org", DnsCodes.TYPE_A, 0)));
        ch.writable = true;
        long[] now = {0};
        TcpConnection conn = new TcpConnection(ch, CLIENT, InetAddress.getLoopbackAddress(), h, counters, () -> now[0], null);
        now[0] = 1_000;
        conn.readable();
        conn.writable(); // answered at 1 s: the next query's time starts there
        assertEquals(DnsCodes.REFUSED, DnsClient.parse(answers(ch.written.toByteArray()).get(0)).rcode());
        conn.onTick(1_000 + TcpConnection.QUERY_MILLIS - 1);
        assertFalse(conn.closed());
        conn.onTick(1_000 + TcpConnection.QUERY_MILLIS);
        assertTrue(conn.closed());
        assertEquals(TcpConnection.Close.QUERY_DEADLINE, conn.closeReason());
    }

    @Test
    void aQueryDribbledOneByteAtATimeIsCutOffAtItsDeadlineNotKeptAliveByEachByte() throws IOException {
        Config c = config();
        DnsCounters counters = new DnsCounters();
        QueryHandler h = new QueryHandler(() -> c, counters, null, () -> null, a -> Responder.Local.NONE, System::nanoTime, 10);
        byte[] frame = DnsClient.frames(DnsClient.query(1, "example.org", DnsCodes.TYPE_A, 0));
        DribbleChannel ch = new DribbleChannel(frame);
        long[] now = {0};
        TcpConnection conn = new TcpConnection(ch, CLIENT, InetAddress.getLoopbackAddress(), h, counters, () -> now[0], null);
        for (int i = 0; i < 3 && !conn.closed(); i++) { // a byte every 5 s: 0 s, 5 s, 10 s
            now[0] = i * 5_000L;
            conn.onTick(now[0]);
            if (!conn.closed()) {
                ch.allow++;
                conn.readable();
            }
        }
        assertTrue(conn.closed(), "closed at the query deadline, after two bytes");
        assertEquals(TcpConnection.Close.QUERY_DEADLINE, conn.closeReason());
        assertEquals(2, ch.allow, "the third byte was never read");
        assertEquals(0, counters.get(DnsResult.REFUSED), "the query never became whole");
    }

    @Test
    void aBusyConnectionIsClosedAtItsAbsoluteLifetime() throws IOException {
        Config c = config("dns.rateLimit = 0");
        DnsCounters counters = new DnsCounters();
        QueryHandler h = new QueryHandler(() -> c, counters, null, () -> null, a -> Responder.Local.NONE, System::nanoTime, 10);
        byte[][] queries = new byte[40][];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = DnsClient.query(i, "example.org", DnsCodes.TYPE_A, 0);
        }
        DribbleChannel ch = new DribbleChannel(DnsClient.frames(queries));
        long[] now = {0};
        TcpConnection conn = new TcpConnection(ch, CLIENT, InetAddress.getLoopbackAddress(), h, counters, () -> now[0], null);
        int frame = DnsClient.frames(queries[0]).length;
        for (int i = 0; i < queries.length && !conn.closed(); i++) { // a whole query every 5 s
            now[0] = i * 5_000L;
            conn.onTick(now[0]);
            if (!conn.closed()) {
                ch.allow += frame;
                conn.readable();
            }
        }
        assertTrue(conn.closed());
        assertEquals(TcpConnection.Close.CONNECTION_DEADLINE, conn.closeReason());
        assertEquals(TcpConnection.CONNECTION_MILLIS / 5_000, counters.get(DnsResult.REFUSED), "one query per 5 s until then");
    }

    /** A scripted channel that hands out only {@code allow} bytes in all so far. */
    static final class DribbleChannel extends ScriptedChannel {
        int allow;

        DribbleChannel(byte[] input) {
            super(input);
            writable = true;
        }

        @Override
        public int read(ByteBuffer dst) {
            int room = allow - input.position();
            if (room <= 0) {
                return 0;
            }
            ByteBuffer d = dst.duplicate();
            d.limit(Math.min(dst.limit(), dst.position() + room));
            int n = super.read(d);
            dst.position(d.position());
            return n;
        }
    }
}
