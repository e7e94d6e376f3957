package lnm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

import lnm.audit.AuditRecord;
import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.audit.Verdict;
import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.ListenerSpec;
import lnm.config.Via;
import lnm.floor.ConnectionInfo;
import lnm.floor.EventLoop;
import lnm.tls.Alerts;

/**
 * The connection core: one client connection and, once allowed, its upstream, for its whole
 * life. It is the one owner of the {@link State} (changed only by {@link #to}, which checks the
 * edge against the diagram and arms the new state's deadline), both selection keys and their
 * interest, every refusal and close, what it holds against the limits ({@link Hold}) and the
 * one audit record.
 *
 * <p>The steps of the data path are its collaborators, each with state of its own: the
 * listener's {@link Front} reads the {@link Head} and decides (accept → head → decide), the
 * {@link Dialer} resolves and connects over {@link Candidates} and reports back through
 * {@link Dialer.Events}, the {@link Relay} pumps the bytes ({@link Pipe} each way), a
 * {@link Farewell} says the last words to a refused client, and {@link CoreAudit} turns what
 * the front learned into record fields. Every read and write goes through a {@link Peer}.
 *
 * <p>Confined to one {@link EventLoop}, whose clock every deadline reads. Interest ops are
 * derived from the state and the collaborators after every event ({@link #updateInterest}),
 * which is what gives backpressure. The config snapshot taken at accept time applies for its
 * whole life, so a reload never changes a live connection.
 */
final class Connection implements EventLoop.Handler, Dialer.Events {
    /** Each {@link Via}'s audit spelling, made once rather than per connection. */
    private static final String[] VIA_TEXT = Arrays.stream(Via.values()).map(Via::toString).toArray(String[]::new);

    private final EventLoop loop;
    private final Services services;
    private final Config cfg;
    private final ListenerSpec listener;
    private final Peer client;
    /** The one audit record; it also keeps the peer's address ({@link AuditRecord#clientAddress}). */
    private final AuditRecord rec;
    private final long acceptedAt;

    private State state = State.READING_HEAD;
    /** When the current state's time is up ({@link #deadlineOf}); the relay states use {@link #lastActivity}. */
    private long deadline;
    private long lastActivity;
    private SelectionKey clientKey;
    /** The connected upstream's key; null before. While connecting the key is the dialer's own. */
    private SelectionKey upstreamKey;

    private Front front;
    /** Bytes read from the client before relaying starts; replayed upstream. Taken from the head budget. */
    private Head head;
    /** Bytes for the client before the relay starts (a CONNECT's 200), or null. */
    private ByteBuffer toClient;
    /** What the upstream sent through an egress proxy's tunnel before the relay started, or null: the client's after {@link #toClient}. */
    private ByteBuffer early;
    /** The connect step while it runs (null before and once connected), and the upstream it found (null before). */
    private Dialer dialer;
    private Peer upstream;
    private Via via;
    private Relay relay;
    private Farewell farewell;
    private String error;
    /** What this connection holds against the limits. */
    private final Hold hold;
    /** The client became readable while the upstream was being found: reads wait for the relay. */
    private boolean clientEarly;
    /** Where the client connected to; its port is the upstream port when a destination names none. */
    private InetSocketAddress local;

    /** @param admission what the limits said at accept */
    Connection(EventLoop loop, Services services, Config cfg, ListenerSpec listener, SocketChannel client, InetSocketAddress peer,
            Admission admission) {
        this.loop = loop;
        this.hold = new Hold(services, admission);
        this.services = services;
        this.cfg = cfg;
        this.listener = listener;
        this.client = new Peer(Side.CLIENT, client);
        this.rec = new AuditRecord(listener.name(), cfg.level(), peer);
        this.head = new Head(services.heads);
        this.acceptedAt = loop.now();
        this.lastActivity = acceptedAt;
        this.deadline = deadlineOf(State.READING_HEAD, acceptedAt); // the hello timeout counts from accept
    }

    // ---- the state ----------------------------------------------------------------------------

    /**
     * The one place the state changes: the edge must be in the diagram ({@link State#canGo}),
     * and entering a state (again, for the connect step's next address or destination) arms its
     * deadline.
     */
    private void to(State next) {
        if (!state.canGo(next)) {
            throw new IllegalStateException("no edge " + state + " -> " + next);
        }
        state = next;
        deadline = deadlineOf(next, loop.now());
    }

    /** The one place deadlines are computed: when a state entered at {@code now} has run out of time. */
    private long deadlineOf(State s, long now) {
        return switch (s) {
            case READING_HEAD, TUNNEL_HELLO -> now + cfg.helloTimeoutMillis();
            case DECIDING, CONNECTING -> now + cfg.connectTimeoutMillis();
            case REFUSING -> now + Farewell.LINGER_MILLIS;
            case RELAYING, HALF_CLOSED, CLOSED -> Long.MAX_VALUE; // idle time is judged from lastActivity
        };
    }

    // ---- accept and the head ----------------------------------------------------------------

    /** Registers with the loop and reads or decides; runs on the loop thread. */
    void start() {
        loop.add(this);
        try {
            client.channel.configureBlocking(false);
            // Registered for reads at once: one epoll_ctl instead of an add and a modify.
            clientKey = client.channel.register(loop.selector(), SelectionKey.OP_READ, this);
            local = (InetSocketAddress) client.channel.getLocalAddress();
        } catch (IOException e) {
            error = e.getMessage();
            rec.reason(Reason.CLIENT_ERROR);
            closeNow(Side.LNM); // nothing to say to a client that is gone
            return;
        }
        InetAddress source = rec.clientAddress().getAddress();
        front = Front.forListener(listener, cfg, source, local.getPort());
        if (!hold.admitted()) {
            refuseByLimit(hold.admission(), Services.key(source, cfg));
            return;
        }
        if (!listener.acceptProxyProtocol().contains(source)) {
            hold.countedAs(Services.key(source, cfg)); // a trusted PROXY peer's origin is counted once its header is read
        }
        if (!cfg.sources().contains(source)) {
            refuse(Reason.SOURCE_NOT_ALLOWED, Alerts.ACCESS_DENIED);
            return;
        }
        act(front.start(head));
        updateInterest();
    }

    /**
     * Reads what came and hands the whole head to the front. The buffer may pass its cap by at
     * most one read, and the size is judged after parsing, so a refusal names what is really
     * wrong (a malformed or over-fragmented hello) whatever the TCP segmentation.
     */
    private void readHead() throws IOException {
        ByteBuffer s = loop.scratch();
        int n = client.read(s);
        if (n < 0) {
            rec.closedBy(Side.CLIENT);
            refuse(head.length() == 0 ? Reason.NO_HELLO : Reason.HELLO_INCOMPLETE, -1);
            return;
        }
        if (n == 0) {
            return;
        }
        s.flip();
        int cap = 2 * cfg.maxHelloBytes() + 1024 + front.headAllowance();
        if (!head.append(s, cap)) {
            error = "head budget of " + services.heads.limit() + " bytes spent";
            refuse(Reason.HEAD_BUDGET, Alerts.INTERNAL_ERROR);
            return;
        }
        State before = state;
        act(front.onHead(head));
        if (state == before && head.length() > cap) {
            refuse(Reason.HELLO_TOO_LARGE, Alerts.DECODE_ERROR);
        }
    }

    /**
     * Refused at admission by the limit named ({@link Services#admit}): {@code limit}, or
     * {@code rate_limited}, with a record of its own or counted into one.
     *
     * @param key the source's key the limits counted ({@link Services#key})
     */
    private void refuseByLimit(Admission limit, InetAddress key) {
        error = limit.limit() + " reached";
        if (limit == Admission.RATE_COUNTED) {
            error = null;
            rec.reason(Reason.RATE_LIMITED);
            rec.closedByFirst(Side.LNM);
            hold.countIntoAnother();
            closeNow(null);
            services.countRefusal(key, rec); // written with the others when its second is over
        } else {
            refuse(limit.reason(), -1);
        }
    }

    /** Does what the front said, and notes what it learned. */
    private void act(Front.Step step) {
        if (rec.originAddress() == null && front.origin() != null) {
            rec.origin(front.origin());
            if (hold.awaitsOrigin()) {
                InetAddress key = Services.key(front.origin().getAddress(), cfg);
                Admission refused = services.admitOrigin(key, cfg);
                if (!refused.admitted()) {
                    refuseByLimit(refused, key);
                    return;
                }
                hold.countedAs(key);
            }
        }
        if (step instanceof Front.Refuse no) {
            CoreAudit.seen(rec, no.seen());
            error = no.detail();
            refuse(no.reason(), no.alert());
        } else if (step instanceof Front.Connect yes) {
            CoreAudit.seen(rec, yes.seen());
            head.skip(yes.skip()); // a CONNECT head is answered, not forwarded
            allow(yes);
        } else if (step instanceof Front.TunnelHello hold) {
            tunnelHello(hold);
        } else if (step instanceof Front.Relay go) {
            CoreAudit.seen(rec, go.seen());
            if (go.status() != 0) {
                rec.status(go.status());
            }
            startRelay(go.toClient());
        } else if (step instanceof Front.Note) {
            rec.anotherRequest();
        } else if (step instanceof Front.Stop stop) {
            CoreAudit.stopped(rec, stop);
            if (stop.error() != null) {
                error = stop.error();
            }
        } // NeedMore: nothing to do until more bytes come
    }

    // ---- deciding and connecting ---------------------------------------------------------------

    private void allow(Front.Connect c) {
        rec.decision(Verdict.ALLOW);
        rec.reason(c.reason(), c.qualifier());
        CoreAudit.wouldDeny(rec, c.seen().decision());
        rec.via(VIA_TEXT[c.via().ordinal()]);
        via = c.via();
        to(State.DECIDING);
        dialer = new Dialer(loop, this, services);
        dialer.start(Candidates.forConnect(c, services.parents, services.proxies, cfg),
                via == Via.DIRECT ? services.destinations().guard(cfg.directAllowSpecial()) : null);
    }

    @Override
    public boolean dialing() {
        return state == State.DECIDING || state == State.CONNECTING;
    }

    @Override
    public void resolving(HostPort destination) {
        rec.upstream(destination);
        to(state); // DECIDING or CONNECTING again: the resolution's own deadline
    }

    @Override
    public void attempt(InetSocketAddress address) {
        rec.upstream(address);
        to(State.CONNECTING);
    }

    @Override
    public void proxy(HostPort proxy) {
        rec.egress(proxy.toString());
    }

    @Override
    public void exchanging() {
        to(State.CONNECTING); // the CONNECT exchange's own deadline
    }

    /** The dialer's upstream is connected: its key now reports to this core. */
    @Override
    public void connected(Peer peer, SelectionKey key, long connectMillis, ByteBuffer early) {
        this.early = early;
        upstream = peer;
        upstreamKey = key;
        key.attach(this);
        dialer = null; // done: what it tried and resolved is not kept for the relay's life
        rec.connectMillis((int) connectMillis);
        act(front.onConnected());
    }

    /**
     * Allowed, but the upstream could not be reached (decision stays {@code allow}) or its
     * address is forbidden (a {@code deny}): the client is told with an alert.
     */
    @Override
    public void unreachable(Reason reason, String detail) {
        error = detail;
        if (reason == Reason.DESTINATION_FORBIDDEN) {
            rec.decision(Verdict.DENY);
        }
        refuse(reason, Alerts.INTERNAL_ERROR);
        updateInterest();
    }

    /** Something unexpected escaped the dialer's handling of its key: as for the client's. */
    @Override
    public void dialerFailed(Throwable t) {
        onFailure(t);
    }

    /** A CONNECT answered: write the 200 and read the tunnel's hello (it may have come with the CONNECT). */
    private void tunnelHello(Front.TunnelHello hold) {
        to(State.TUNNEL_HELLO);
        rec.status(hold.status());
        toClient = ByteBuffer.wrap(hold.toClient());
        try {
            writeToClient();
        } catch (IOException e) {
            failed(e, true);
            return;
        }
        if (head.hasUnconsumed()) {
            act(front.onHead(head));
        }
        updateInterest();
    }

    /** The client is writable while lnm owes it bytes before the relay (a CONNECT's 200). */
    private void writeToClient() throws IOException {
        if (toClient != null) {
            client.write(toClient);
        }
    }

    // ---- relaying -----------------------------------------------------------------------------

    private void startRelay(byte[] first) {
        clientEarly = false;
        InetSocketAddress src = front.origin() != null ? front.origin() : rec.clientAddress();
        byte[] header = ParentHeader.of(cfg, via, src, local);
        ByteBuffer owed = CoreAudit.join(toClient, first);
        if (early != null) {
            owed = ByteBuffer.allocate(owed.remaining() + early.remaining()).put(owed).put(early).flip();
            early = null;
        }
        relay = new Relay(client, upstream, head.replay(header), header.length, owed, loop.pool());
        dropHead();
        toClient = null;
        Pipe.Gate gate = front.gate(relay.down(), header.length, this::act);
        if (gate != null) {
            relay.up().gate(gate);
        } else {
            front = null; // without a gate nothing asks the front anything once relaying
        }
        to(State.RELAYING);
        lastActivity = loop.now();
        try {
            relay.start(loop.pool());
        } catch (IOException e) {
            failed(e, false);
            return;
        }
        updateInterest();
    }

    // ---- events -------------------------------------------------------------------------

    @Override
    public void onReady(SelectionKey key) throws IOException {
        boolean fromClient = key == clientKey;
        try {
            if (fromClient) {
                clientReady(key);
            } else if (state == State.RELAYING || state == State.HALF_CLOSED) {
                ended(relay.upstreamReady(key, loop.scratch(), loop.pool()));
            } // the upstream's key reports here only once connected
        } catch (IOException e) {
            failed(e, fromClient);
            return;
        }
        afterIo();
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

    /**
     * An I/O error. A write refused without a reset ("broken pipe") means that peer closed after
     * its own end of stream, so what it sent the other way is whole and may still be on its way
     * out: stop sending to it and finish the other direction. Anything else ends the connection,
     * and a peer failing mid-stream passes a reset on to the other.
     */
    private void failed(IOException e, boolean fromClient) {
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

    /** The first side to end its stream is the one the audit names. */
    private void ended(Side side) {
        if (side != null) {
            rec.closedByFirst(side);
        }
    }

    private void afterIo() {
        if (state == State.CLOSED) {
            return;
        }
        lastActivity = loop.now();
        if (state == State.RELAYING || state == State.HALF_CLOSED) {
            if (relay.done()) {
                close();
                return;
            }
            if (state == State.RELAYING && relay.halfDone()) {
                to(State.HALF_CLOSED);
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
        return new ConnectionInfo(listener.name(), rec.client(), rec.origin(), rec.sni() != null ? rec.sni() : rec.host(), state.name(),
                rec.upstream(), relay == null ? 0 : relay.bytesUp(), relay == null ? 0 : relay.bytesDown(), now - acceptedAt);
    }

    // ---- refusing and closing ---------------------------------------------------------------

    /**
     * Denies before any byte was relayed: what the front says to a refused client (a TLS alert,
     * an HTTP response) after whatever lnm still owed it, a short linger ({@link Farewell}),
     * then close.
     */
    private void refuse(Reason reason, int alert) {
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
        to(State.REFUSING);
        try {
            farewell.write();
        } catch (IOException e) {
            closeNow(null);
            return;
        }
        updateInterest();
    }

    /** Sets both keys' interest from the state and the collaborators; changes nothing else. */
    private void updateInterest() {
        int ci = 0;
        int ui = 0;
        switch (state) {
            case READING_HEAD -> ci = SelectionKey.OP_READ;
            case TUNNEL_HELLO -> ci = SelectionKey.OP_READ | (toClient != null && toClient.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            // The client's read interest stays as it was after the hello (one epoll_ctl less
            // each way: dropping it and adding it back are two) unless the client spoke again.
            // The upstream being connected is the dialer's key, registered for OP_CONNECT.
            case DECIDING, CONNECTING -> ci = clientEarly ? 0 : SelectionKey.OP_READ;
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

    private void closeNow(Side side) {
        if (side != null) {
            rec.closedByFirst(side);
        }
        close();
    }

    /** The one way out: channels closed, buffers returned, the limits released, the record written. */
    private void close() {
        if (state == State.CLOSED) {
            return;
        }
        to(State.CLOSED);
        loop.close(client.channel);
        if (upstream != null) {
            loop.close(upstream.channel);
        } else if (dialer != null) {
            dialer.abandon();
        }
        if (relay != null) {
            rec.bytes(relay.bytesUp(), relay.bytesDown());
            relay.release(loop.pool());
        }
        dropHead();
        farewell = null;
        loop.remove(this);
        hold.release();
        if (error != null) {
            rec.error(error);
        }
        if (hold.ownRecord()) {
            services.finished(rec);
        }
    }

    /** The head's bytes go back to the budget: refused, closed, or handed to the relay. */
    private void dropHead() {
        head = head == null ? null : head.release();
    }
}
