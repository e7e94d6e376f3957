package lnm.net;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import lnm.http.RequestFramer;

/**
 * The client-to-upstream gate of a plain-HTTP connection, set on the pump by {@link HttpFront}
 * (the pump itself knows only bytes): bodies pass as they arrive, each
 * request head waits in the pipe until it is complete and checked. The first head (replayed from
 * the decision) is the one already allowed; any later one to another host, or one that cannot be
 * framed, stops the stream there. The upstream then gets a FIN after the last allowed request,
 * answers what it has, and when it closes the client gets the refusal as the last response.
 * What it sees (one more request, or the stop) goes to the connection core as a
 * {@link Front.Step}, for the audit record.
 */
final class HttpGate implements Pipe.Gate {
    private final HttpFront front;
    private final Pipe down;
    private final Consumer<Front.Step> events;
    private final RequestFramer framer = new RequestFramer(HttpFront.LIMITS);
    /** Stream offset up to which bytes may go on; starts past the PROXY header. */
    private long admitted;
    private boolean stopped;

    HttpGate(HttpFront front, Pipe down, int headerLen, Consumer<Front.Step> events) {
        this.front = front;
        this.down = down;
        this.events = events;
        this.admitted = headerLen;
    }

    @Override
    public int admit(ByteBuffer unsent, long offset) {
        int base = unsent.position();
        int avail = unsent.remaining();
        // Each round moves past at least one byte or ends the loop, so avail + 1 rounds suffice.
        for (int round = 0; round <= avail && !stopped; round++) {
            long from = admitted - offset;
            if (from >= avail) {
                break;
            }
            ByteBuffer view = unsent.duplicate();
            view.position(base + (int) from);
            RequestFramer.Step s = framer.next(view);
            if (s instanceof RequestFramer.Pass p) {
                admitted += p.bytes();
            } else if (s instanceof RequestFramer.Head h) {
                Front.Step verdict = framer.requests() == 0 ? null : front.recheck(h.head());
                if (verdict != null) {
                    events.accept(verdict);
                }
                if (verdict instanceof Front.Stop no) {
                    stop(no);
                } else {
                    framer.accept(h.head());
                    admitted += h.head().length();
                }
            } else if (s instanceof RequestFramer.Invalid bad) {
                Front.Stop no = front.malformed(bad.reason(), bad.detail());
                events.accept(no);
                stop(no);
            } else {
                break; // NeedMore: the head waits in the pipe for the rest
            }
        }
        return (int) Math.max(0, Math.min(avail, admitted - offset));
    }

    private void stop(Front.Stop no) {
        stopped = true;
        down.finishWith(ByteBuffer.wrap(no.response()));
    }

    @Override
    public boolean stopped() {
        return stopped;
    }
}
