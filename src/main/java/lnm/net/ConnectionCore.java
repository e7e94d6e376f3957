package lnm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import lnm.audit.AuditRecord;
import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.audit.Verdict;
import lnm.config.Config;
import lnm.config.ListenerSpec;
import lnm.config.Via;
import lnm.tls.Alerts;

/**
 * The connection core: one client connection and, once allowed, its upstream, for its whole
 * life. It owns the {@link State}, both selection keys and their interest, the deadlines, every
 * refusal and close, and the one audit record. The steps of the data path are {@link Connection}'s
 * (head, decision, connect, relay), over this core; what the listener's protocol means is the
 * {@link Front}'s, the bytes of the relay are the {@link Pipe}s', and every read and write goes
 * through a {@link Peer}.
 *
 * <p>Confined to one {@link EventLoop}. Interest ops are derived from state and buffer contents
 * after every event ({@link #updateInterest}), which is what gives backpressure. The config
 * snapshot taken at accept time applies for its whole life, so a reload never changes a live
 * connection.
 */
abstract class ConnectionCore implements EventLoop.Handler {
    final EventLoop loop;
    final Services services;
    final Config cfg;
    final ListenerSpec listener;
    final Peer client;
    /** The one audit record; it also keeps the peer's address ({@link AuditRecord#clientAddress}). */
    final AuditRecord rec;
    final long acceptedAt = EventLoop.nowMillis();

    State state = State.READING_HEAD;
    Front front;
    SelectionKey clientKey;
    /** The connect step while it runs (null before and once connected), and the upstream it found (null before). */
    Dialer dialer;
    Peer upstream;
    SelectionKey upstreamKey;
    Via via;

    /** Bytes read from the client before relaying starts; replayed upstream. Taken from the head budget. */
    Head head;
    /** Bytes for the client before the relay starts (a CONNECT's 200), or null. */
    ByteBuffer toClient;

    Relay relay;
    Farewell farewell;
    long deadline;
    long lastActivity = acceptedAt;
    String error;
    /**
     * Counted at accept; {@link #countedAs}: the source key counted per source ({@link Services#key}
     * of the peer or of its PROXY v2 origin; null: the total only).
     */
    boolean admitted;
    InetAddress countedAs;
    boolean counted; // a rate-limited refusal counted into another record: none of its own
    /** The client became readable while the upstream was being found: reads wait for the relay. */
    boolean clientEarly;
    /** Where the client connected to; its port is the upstream port when a destination names none. */
    InetSocketAddress local;

    ConnectionCore(EventLoop loop, Services services, Config cfg, ListenerSpec listener, SocketChannel client, InetSocketAddress peer) {
        this.loop = loop;
        this.services = services;
        this.cfg = cfg;
        this.listener = listener;
        this.client = new Peer(Side.CLIENT, client);
        this.rec = new AuditRecord(listener.name(), cfg.level(), peer);
        this.head = new Head(services.heads);
    }

    // ---- events -------------------------------------------------------------------------

    @Override
    public void onReady(SelectionKey key) throws IOException {
        boolean fromClient = key == clientKey;
        try {
            if (fromClient) {
                clientReady(key);
            } else {
                upstreamReady(key);
            }
        } catch (IOException e) {
            if (state == State.CONNECTING && !fromClient) {
                dialer.failed(e, false);
                updateInterest();
                return;
            }
            failed(e, fromClient);
            return;
        }
        afterIo();
    }

    /**
     * An I/O error. A write refused without a reset ("broken pipe") means that peer closed after
     * its own end of stream, so what it sent the other way is whole and may still be on its way
     * out: stop sending to it and finish the other direction. Anything else ends the connection,
     * and a peer failing mid-stream passes a reset on to the other.
     */
    void failed(IOException e, boolean fromClient) {
        error = e.getMessage();
        Side side = e instanceof Peer.PeerException p ? p.side : fromClient ? Side.CLIENT : Side.UPSTREAM;
        if (relay != null && !Peer.isReset(e) && relay.abandonFailedWrite(loop.pool())) {
            rec.closedByFirst(side);
            afterIo();
            return;
        }
        if (relay != null) {
            abortPeerOf(side);
        }
        if (!rec.hasReason() && state == State.READING_HEAD) { // a reset before the decision
            rec.reason(head.length() == 0 ? Reason.NO_HELLO : Reason.HELLO_INCOMPLETE);
        }
        closeNow(side);
    }

    /**
     * The other peer gets a reset, not the clean end of stream a plain close would send, which
     * a client of a {@code tcp} listener (or an upstream reading a request to its end) would
     * take for the complete stream.
     */
    private void abortPeerOf(Side failed) {
        Peer other = failed == Side.CLIENT ? upstream : client;
        if (failed == Side.UPSTREAM) {
            rec.reason(Reason.UPSTREAM_RESET);
        }
        try {
            if (other != null && other.channel.isOpen()) {
                other.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException ignored) {
            // already gone: nothing to tell it
        }
    }

    private void clientReady(SelectionKey key) throws IOException {
        switch (state) {
            case DECIDING, CONNECTING -> clientEarly = true; // more bytes, an end or a reset: later
            case READING_HEAD -> {
                if (key.isReadable()) {
                    readHead();
                }
            }
            case TUNNEL_HELLO -> {
                if (key.isWritable()) {
                    writeToClient();
                }
                if (key.isReadable()) {
                    readHead();
                }
            }
            case REFUSING -> {
                if (farewell.onReady(key, loop.scratch())) {
                    closeNow(null);
                }
            }
            case RELAYING, HALF_CLOSED -> ended(relay.clientReady(key, loop.scratch(), loop.pool()));
            default -> { }
        }
    }

    private void upstreamReady(SelectionKey key) throws IOException {
        if (state == State.CONNECTING) {
            dialer.finish();
        } else if (state == State.RELAYING || state == State.HALF_CLOSED) {
            ended(relay.upstreamReady(key, loop.scratch(), loop.pool()));
        } // no upstream interest in other states
    }

    /** The first side to end its stream is the one the audit names. */
    void ended(Side side) {
        if (side != null) {
            rec.closedByFirst(side);
        }
    }

    void afterIo() {
        if (state == State.CLOSED) {
            return;
        }
        lastActivity = EventLoop.nowMillis();
        if (state == State.RELAYING || state == State.HALF_CLOSED) {
            if (relay.done()) {
                close();
                return;
            }
            if (relay.halfDone()) {
                state = State.HALF_CLOSED;
            }
        }
        updateInterest();
    }

    @Override
    public void onTick(long now) {
        switch (state) {
            case READING_HEAD, TUNNEL_HELLO -> {
                if (now >= deadline) {
                    refuse(Reason.HELLO_TIMEOUT, -1);
                }
            }
            case DECIDING, CONNECTING -> {
                if (now >= deadline) {
                    dialer.timedOut(cfg.connectTimeoutMillis()); // the next address or parent, or unreachable
                    updateInterest();
                }
            }
            case RELAYING, HALF_CLOSED -> {
                if (now - lastActivity >= cfg.idleTimeoutMillis()) {
                    rec.closedBy(Side.IDLE_TIMEOUT);
                    closeNow(null);
                }
            }
            case REFUSING -> {
                if (now >= deadline) {
                    closeNow(null);
                }
            }
            default -> { }
        }
    }

    @Override
    public void onFailure(Throwable t) {
        error = t.toString();
        if (!rec.hasReason()) {
            rec.reason(Reason.INTERNAL_ERROR);
        }
        closeNow(Side.LNM);
    }

    @Override
    public void abort(String why) {
        if (state != State.CLOSED) {
            rec.closedBy(Side.of(why));
            closeNow(null);
        }
    }

    /** What {@code /connections} shows; called on the loop thread. */
    @Override
    public ConnectionInfo info(long now) {
        return new ConnectionInfo(listener.name(), rec.client(), rec.origin(), rec.sni() != null ? rec.sni() : rec.host(), state.name(), rec.upstream(),
                relay == null ? 0 : relay.bytesUp(), relay == null ? 0 : relay.bytesDown(), now - acceptedAt);
    }

    // ---- refusing and closing ---------------------------------------------------------------

    /**
     * Allowed, but the upstream could not be reached (decision stays {@code allow}) or its
     * address is forbidden (a {@code deny}): the client is told with an alert. Also
     * {@link Dialer.Events#unreachable}.
     */
    public void unreachable(Reason reason, String detail) {
        error = detail;
        if (reason == Reason.DESTINATION_FORBIDDEN) {
            rec.decision(Verdict.DENY);
        }
        refuse(reason, Alerts.INTERNAL_ERROR);
        updateInterest();
    }

    /**
     * Denies before any byte was relayed: what the front says to a refused client (a TLS alert,
     * an HTTP response) after whatever lnm still owed it, a short linger ({@link Farewell}),
     * then close.
     */
    void refuse(Reason reason, int alert) {
        rec.reason(reason);
        rec.closedByFirst(Side.LNM);
        if (state == State.TUNNEL_HELLO) {
            rec.decision(Verdict.DENY); // allowed on its CONNECT host, refused on its hello
        }
        Front.Refusal r = front.refusal(reason, alert);
        if (r != null && r.status() != 0) {
            rec.status(r.status());
        }
        ByteBuffer bye = CoreAudit.join(toClient, r == null ? null : r.bytes());
        toClient = null;
        dropHead();
        if (!bye.hasRemaining() || !client.channel.isOpen()) {
            closeNow(null);
            return;
        }
        farewell = new Farewell(client, bye);
        state = State.REFUSING;
        deadline = EventLoop.nowMillis() + Farewell.LINGER_MILLIS;
        try {
            farewell.write();
        } catch (IOException e) {
            closeNow(null);
            return;
        }
        updateInterest();
    }

    void updateInterest() {
        int ci = 0;
        int ui = 0;
        switch (state) {
            case READING_HEAD -> ci = SelectionKey.OP_READ;
            case TUNNEL_HELLO -> ci = SelectionKey.OP_READ | (toClient != null && toClient.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            case DECIDING, CONNECTING -> {
                // The client's read interest stays as it was after the hello (one epoll_ctl less
                // each way: dropping it and adding it back are two) unless the client spoke again.
                ci = clientEarly ? 0 : SelectionKey.OP_READ;
                ui = state == State.CONNECTING ? SelectionKey.OP_CONNECT : 0;
                upstreamKey = dialer == null ? null : dialer.key();
            }
            case RELAYING, HALF_CLOSED -> {
                ci = relay.clientInterest();
                ui = relay.upstreamInterest();
            }
            case REFUSING -> ci = farewell.interest();
            case CLOSED -> {
                return;
            }
        }
        setInterest(clientKey, ci);
        setInterest(upstreamKey, ui);
    }

    private static void setInterest(SelectionKey k, int ops) {
        if (k != null && k.isValid() && k.interestOps() != ops) {
            k.interestOps(ops);
        }
    }

    void closeNow(Side side) {
        if (side != null) {
            rec.closedByFirst(side);
        }
        close();
    }

    /** The one way out: channels closed, buffers returned, the limits released, the record written. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        loop.close(client.channel);
        Peer u = upstream != null ? upstream : dialer != null ? dialer.upstream() : null;
        if (u != null) {
            loop.close(u.channel);
        }
        if (relay != null) {
            rec.bytes(relay.bytesUp(), relay.bytesDown());
            relay.release(loop.pool());
        }
        dropHead();
        farewell = null;
        loop.remove(this);
        if (admitted) {
            services.release(countedAs);
        }
        if (error != null) {
            rec.error(error);
        }
        if (!counted) {
            services.finished(rec);
        }
    }

    /** The head's bytes go back to the budget: refused, closed, or handed to the relay. */
    void dropHead() {
        head = head == null ? null : head.release();
    }

    // ---- the steps of the data path, in Connection --------------------------------------------
    /** The client is readable while the head is read. */
    abstract void readHead() throws IOException;

    /** The client is writable while lnm owes it bytes before the relay (a CONNECT's 200). */
    abstract void writeToClient() throws IOException;
}
