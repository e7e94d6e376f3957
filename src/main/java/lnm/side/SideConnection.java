package lnm.side;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import lnm.http.HttpHeadParser;
import lnm.http.RequestHead;

/**
 * One client of a side port: its partial-read state and where it is. Only the port's loop
 * thread touches it.
 *
 * <pre>
 *  READING ──head and body in──> WORKING ──answer──> WRITING ──written──> LINGERING ──EOF──> closed
 *     │  (quick request: answered at once) ─────────────^                          │
 *     └──bad request: error answer───────────────────────^     deadline, eviction, client gone: closed
 * </pre>
 * <ul>
 *   <li>{@code READING}: the head into {@link #in} (grown up to the head bound), then exactly
 *       {@code Content-Length} bytes of body into {@link #body}.</li>
 *   <li>{@code WORKING}: a worker runs the handler; no interest on the socket.</li>
 *   <li>{@code WRITING}: {@link #out} is written as the socket takes it.</li>
 *   <li>{@code LINGERING}: output shut; what the client still sends is discarded until it
 *       closes, so the answer is not lost to a reset. At most two seconds.</li>
 * </ul>
 * Every state ends at the connection's deadline, counted from accept: the whole request and
 * its answer get one fixed span, whatever the client does.
 */
final class SideConnection {
    enum State { READING, WORKING, WRITING, LINGERING }

    final SocketChannel channel;
    final SelectionKey key;
    final InetAddress client;
    /** The client's source for per-source counting (its IPv6 prefix). */
    final InetAddress source;
    State state = State.READING;
    long deadlineNanos;
    ByteBuffer in;
    /** How far the head parser got in {@link #in}: each read resumes there instead of from byte 0. */
    HttpHeadParser.Progress parsed = HttpHeadParser.Progress.START;
    RequestHead head;
    ByteBuffer body;
    ByteBuffer out;

    SideConnection(SocketChannel channel, SelectionKey key, InetAddress client, InetAddress source, long deadlineNanos) {
        this.channel = channel;
        this.key = key;
        this.client = client;
        this.source = source;
        this.deadlineNanos = deadlineNanos;
    }

    /** Whether closing it loses nothing a client finished: still sending its request, or done. */
    boolean evictable() {
        return state == State.READING || state == State.LINGERING;
    }

    /** Body bytes this connection holds against the port's budget. */
    int bodyBytes() {
        return body == null ? 0 : body.capacity();
    }
}
