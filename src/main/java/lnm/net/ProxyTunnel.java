package lnm.net;

import java.io.IOException;
import java.nio.ByteBuffer;

import lnm.audit.Reason;
import lnm.config.HostPort;
import lnm.http.ConnectRequest;
import lnm.http.ResponseHead;
import lnm.wire.ParseResult;

/**
 * The egress proxy's part of the connect step, once a TCP connection to a proxy is up: write
 * {@code CONNECT name:port} (with Basic credentials when configured), read the answer's head
 * (at most {@link ResponseHead#MAX_BYTES}), and say whether the tunnel is open. Bytes that came
 * after a 2xx head are already the destination's and are handed on ({@link #early}), never
 * dropped. Holds no socket or key: {@link Dialer} does the I/O through the {@link Peer} and
 * asks this what to do next.
 */
final class ProxyTunnel {
    /** What the proxy said, once it said something final. */
    record Outcome(Reason refusal, String detail) {
        static final Outcome OPEN = new Outcome(null, null);

        boolean open() {
            return refusal == null;
        }
    }

    private final ByteBuffer request;
    /** The answer so far, heap, bounded: one byte past the limit shows a head that is too long. */
    private final ByteBuffer answer = ByteBuffer.allocate(ResponseHead.MAX_BYTES + 1);
    private ByteBuffer early;

    ProxyTunnel(HostPort destination, String basicToken) {
        this.request = ByteBuffer.wrap(ConnectRequest.format(destination.host(), destination.port(), basicToken));
    }

    /** True while the request is not all written. */
    boolean writing() {
        return request.hasRemaining();
    }

    /** Writes what the socket takes of the request. */
    void write(Peer proxy) throws IOException {
        proxy.write(request);
    }

    /**
     * Reads what came and judges it: null while the head is incomplete, else the outcome. An end
     * of stream before the head is a bad response.
     */
    Outcome read(Peer proxy) throws IOException {
        int n = proxy.read(answer);
        ParseResult<ResponseHead> r = ResponseHead.parse(answer.duplicate().flip(), ResponseHead.MAX_BYTES);
        if (r instanceof ParseResult.Parsed<ResponseHead> p) {
            return judge(p.value(), p.consumed());
        }
        if (r instanceof ParseResult.Invalid<ResponseHead> bad) {
            return new Outcome(Reason.PROXY_BAD_RESPONSE, bad.detail());
        }
        if (n < 0) {
            return new Outcome(Reason.PROXY_BAD_RESPONSE, answer.position() == 0
                    ? "the proxy closed the connection without an answer"
                    : "the proxy closed the connection inside its answer's head");
        }
        return null;
    }

    private Outcome judge(ResponseHead head, int consumed) {
        if (head.success()) {
            ByteBuffer all = answer.duplicate().flip();
            all.position(consumed);
            if (all.hasRemaining()) {
                early = ByteBuffer.allocate(all.remaining()).put(all).flip();
            }
            return Outcome.OPEN;
        }
        if (head.status() == 407) {
            return new Outcome(Reason.PROXY_AUTH_REQUIRED, head.statusLine());
        }
        return new Outcome(Reason.PROXY_REFUSED, head.statusLine());
    }

    /** True once the proxy sent a byte of its answer. */
    boolean answered() {
        return answer.position() > 0;
    }

    /** What the destination sent after the proxy's 2xx head, for the client first; null when nothing. */
    ByteBuffer early() {
        return early;
    }
}
