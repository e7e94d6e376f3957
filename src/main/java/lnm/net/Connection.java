package lnm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import lnm.audit.AuditRecord;
import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.HostPort;
import lnm.config.ListenerSpec;
import lnm.config.Mode;
import lnm.config.Policy;
import lnm.config.Via;
import lnm.dns.Resolver;
import lnm.proxy.ProxyHeader;
import lnm.proxy.ProxyV2;
import lnm.tls.Alerts;
import lnm.tls.ClientHello;
import lnm.tls.ClientHelloParser;
import lnm.wire.ParseResult;

/**
 * One client connection and, once allowed, its upstream: the whole life of a proxied stream.
 *
 * <p>Confined to one {@link EventLoop}. Its progress is the single {@link State} field; the
 * interest ops of both channels are derived from state and buffer contents after every event
 * ({@link #updateInterest}), which is what gives backpressure. The config snapshot taken at
 * accept time applies for its whole life, so a reload never changes a live connection.
 */
final class Connection implements EventLoop.Handler {
    private final EventLoop loop;
    private final Services services;
    private final Config cfg;
    private final ListenerSpec listener;
    private final SocketChannel client;
    private final InetSocketAddress peer;
    private final AuditRecord rec;
    private final boolean trustProxyHeader;
    /** The request-head front of an http listener; null for tls and tcp listeners. */
    private final HttpFront http;
    private final long acceptedAt = EventLoop.nowMillis();

    private State state = State.READING_HELLO;
    private SelectionKey clientKey;
    private SocketChannel upstream;
    private SelectionKey upstreamKey;
    private InetSocketAddress upstreamAddr;
    private List<InetAddress> candidates = List.of();
    private int candidate;
    private int upstreamPort;
    private Via via;

    /** Bytes read from the client before relaying starts (PROXY header + hello); replayed upstream. */
    private Head head = new Head();
    private InetSocketAddress origin;
    private boolean proxyHeaderDone;
    private int sentHeaderLen;

    private Pipe up;
    private Pipe down;
    private Farewell farewell;
    private long deadline;
    private long lastActivity = acceptedAt;
    private String error;
    private boolean admitted;
    private long connectStartedAt;
    /** The client became readable while the upstream was being found: reads wait for the relay. */
    private boolean clientEarly;
    /** The port the client connected to: the upstream port when a destination names none. */
    private int localPort;

    Connection(EventLoop loop, Services services, Config cfg, ListenerSpec listener, SocketChannel client, InetSocketAddress peer) {
        this.loop = loop;
        this.services = services;
        this.cfg = cfg;
        this.listener = listener;
        this.client = client;
        this.peer = peer;
        this.rec = new AuditRecord(listener.name(), cfg.level(), format(peer));
        // A PROXY header is read only from the listed sources; from anyone else it is an error.
        this.trustProxyHeader = listener.acceptProxyProtocol().contains(peer.getAddress());
        this.proxyHeaderDone = !trustProxyHeader;
        this.http = listener.mode() == Mode.HTTP ? new HttpFront(cfg, rec, peer.getAddress()) : null;
    }

    /**
     * Registers with the loop; runs on the loop thread.
     *
     * @param refusedBy the limit that refused this connection at accept, or null if admitted
     */
    void start(String refusedBy) {
        loop.add(this);
        admitted = refusedBy == null;
        try {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // Registered for reads at once: one epoll_ctl instead of an add and a modify.
            clientKey = client.register(loop.selector(), SelectionKey.OP_READ, this);
            localPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
        } catch (IOException e) {
            error = e.getMessage();
            refuse("client_error", -1);
            return;
        }
        if (!admitted) {
            error = refusedBy + " reached";
            refuse("limit", -1);
            return;
        }
        if (!cfg.sources().contains(peer.getAddress())) {
            refuse("source_not_allowed", Alerts.ACCESS_DENIED);
            return;
        }
        deadline = acceptedAt + cfg.helloTimeoutMillis();
        if (listener.mode() == Mode.TCP && proxyHeaderDone) {
            decideTcp();
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
            } else {
                upstreamReady(key);
            }
        } catch (IOException e) {
            if (state == State.CONNECTING && !fromClient) {
                connectFailed(e);
                return;
            }
            error = e.getMessage();
            String side = e instanceof Pipe.PeerException p ? p.side : failedSide(fromClient);
            Pipe toFailed = up != null && up.writeFailed() ? up : down != null && down.writeFailed() ? down : null;
            if (toFailed != null && !isReset(e)) {
                // A write refused without a reset ("broken pipe"): that peer closed after its own
                // end of stream, so what it sent the other way is whole and may still be on its
                // way out. Stop sending to it and finish the other direction.
                toFailed.abandon(loop.pool());
                firstEof(side);
                afterIo();
                return;
            }
            if (up != null) {
                abortPeerOf(side);
            }
            closeNow(side);
            return;
        }
        afterIo();
    }

    /**
     * ECONNRESET: the peer aborted, its stream was cut. The JDK reports errno only as text
     * ("Connection reset", "Connection reset by peer"); a broken pipe (EPIPE) means the peer
     * had finished its stream (FIN) before it stopped taking ours.
     */
    private static boolean isReset(IOException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("reset");
    }

    /**
     * One peer failed mid-stream (a reset, almost always): the other gets a reset too, not the
     * clean end of stream a plain close would send, which a client of a {@code tcp} listener
     * (or an upstream reading a request to its end) would take for the complete stream.
     */
    private void abortPeerOf(String failed) {
        SocketChannel other = failed.equals("client") ? upstream : client;
        if (failed.equals("upstream")) {
            rec.reason = "upstream_reset";
        }
        try {
            if (other != null && other.isOpen()) {
                other.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException ignored) {
            // already gone: nothing to tell it
        }
    }

    /**
     * Which peer an I/O error belongs to. An event on one socket also writes to the other (what
     * was read is forwarded at once), so a failed write names the destination, not the socket
     * whose event it was: a client that resets while the upstream streams to it is the client's
     * doing, though the error surfaces while handling the upstream's read.
     */
    private String failedSide(boolean fromClient) {
        if (up != null && up.writeFailed()) {
            return "upstream";
        }
        if (down != null && down.writeFailed()) {
            return "client";
        }
        return fromClient ? "client" : "upstream";
    }

    private void clientReady(SelectionKey key) throws IOException {
        if (state == State.DECIDING || state == State.CONNECTING) {
            clientEarly = true; // more bytes, an end or a reset before the upstream is there: later
            return;
        }
        if (state == State.READING_HELLO) {
            if (http != null && key.isWritable()) {
                http.flush(client); // a CONNECT's 200, while the tunnel's hello is read
            }
            if (key.isReadable()) {
                readHead();
            }
            return;
        }
        if (farewell != null) {
            if (farewell.onReady(key, loop.scratch())) {
                closeNow(null);
            }
            return;
        }
        if (key.isWritable()) {
            down.flush(loop.pool());
        }
        if (key.isReadable() && up.readAndForward(loop) < 0) {
            firstEof("client");
        }
    }

    private void upstreamReady(SelectionKey key) throws IOException {
        if (state == State.CONNECTING) {
            if (key.isConnectable() && upstream.finishConnect()) {
                connected();
            }
            return;
        }
        if (key.isWritable()) {
            up.flush(loop.pool());
        }
        if (key.isReadable() && down.readAndForward(loop) < 0) {
            firstEof("upstream");
        }
    }

    private void firstEof(String side) {
        if (rec.closedBy == null) {
            rec.closedBy = side;
        }
    }

    private void afterIo() {
        if (state == State.CLOSED) {
            return;
        }
        lastActivity = EventLoop.nowMillis();
        if (up != null && (state == State.RELAYING || state == State.DRAINING) && farewell == null) {
            if (up.done() && down.done()) {
                close();
                return;
            }
            if (up.done() || down.done()) {
                state = State.DRAINING;
            }
        }
        updateInterest();
    }

    @Override
    public void onTick(long now) {
        switch (state) {
            case READING_HELLO -> {
                if (now >= deadline) {
                    refuse("hello_timeout", -1);
                }
            }
            case DECIDING -> {
                if (now >= deadline) {
                    fail("dns_timeout", "no answer within " + cfg.connectTimeoutMillis() + " ms");
                }
            }
            case CONNECTING -> {
                if (now >= deadline) {
                    connectFailed(new IOException("connect timed out after " + cfg.connectTimeoutMillis() + " ms"));
                }
            }
            case RELAYING, DRAINING -> {
                if (farewell != null ? now >= deadline : now - lastActivity >= cfg.idleTimeoutMillis()) {
                    if (farewell == null) {
                        rec.closedBy = "idle_timeout";
                    }
                    closeNow(null);
                }
            }
            default -> { }
        }
    }

    @Override
    public void onFailure(Throwable t) {
        error = t.toString();
        if (rec.reason == null) {
            rec.reason = "internal_error";
        }
        closeNow("lnm");
    }

    @Override
    public void abort(String why) {
        if (state != State.CLOSED) {
            rec.closedBy = why;
            closeNow(null);
        }
    }

    /** What {@code /connections} shows; called on the loop thread. */
    @Override
    public ConnectionInfo info(long now) {
        return new ConnectionInfo(listener.name(), rec.client, rec.origin, rec.sni != null ? rec.sni : rec.host, state.name(), rec.upstream,
                up == null ? 0 : Math.max(0, up.bytes() - sentHeaderLen), down == null ? 0 : down.bytes(), now - acceptedAt);
    }

    // ---- reading the PROXY header and the hello -----------------------------------------

    private void readHead() throws IOException {
        ByteBuffer s = loop.scratch();
        int n = client.read(s);
        if (n < 0) {
            rec.closedBy = "client";
            refuse(head.length() == 0 ? "no_hello" : "hello_incomplete", -1);
            return;
        }
        if (n == 0) {
            return;
        }
        s.flip();
        int cap = 2 * cfg.maxHelloBytes() + 1024 + (trustProxyHeader ? ProxyV2.MAX_HEADER : 0)
                + (http != null ? HttpFront.headAllowance() : 0);
        // Parse before judging the size, so the refusal names what is really wrong (a malformed
        // or over-fragmented hello) whatever the TCP segmentation. The buffer may pass the cap
        // by at most one read; a hello still incomplete beyond it is too large.
        head.append(s, cap);
        parseHead();
        if (head != null && head.length() > cap && state == State.READING_HELLO) {
            refuse("hello_too_large", Alerts.DECODE_ERROR);
        }
    }

    private void parseHead() throws IOException {
        if (!proxyHeaderDone) {
            ParseResult<ProxyHeader> r = ProxyV2.parse(head.all());
            if (r instanceof ParseResult.Invalid<ProxyHeader> bad) {
                error = bad.detail();
                refuse(bad.reason(), -1);
                return;
            }
            if (!(r instanceof ParseResult.Parsed<ProxyHeader> ok)) {
                return;
            }
            proxyHeaderDone = true;
            head.skip(ok.consumed());
            if (!ok.value().local() && ok.value().source() != null) {
                origin = ok.value().source();
                rec.origin = format(origin);
            }
            if (listener.mode() == Mode.TCP) {
                decideTcp();
                return;
            }
        }
        ByteBuffer view = head.view();
        if (http != null && http.readingRequest()) { // http listener: the request head comes first
            HttpFront.Step step = http.onRequest(view);
            if (step instanceof HttpFront.Refuse no) {
                error = no.detail();
                refuse(no.reason(), Alerts.ACCESS_DENIED);
            } else if (step instanceof HttpFront.Allow yes) {
                head.skip(yes.skip()); // a CONNECT head is answered, not forwarded
                allow(yes.decision().via(), yes.decision().upstream());
            }
            return;
        }
        ParseResult<ClientHello> r = ClientHelloParser.parse(view, cfg.maxHelloBytes());
        if (r instanceof ParseResult.Invalid<ClientHello> bad) {
            error = bad.detail();
            if (!trustProxyHeader && ProxyV2.mayBeSignature(view) && view.remaining() >= 12) {
                refuse("proxy_protocol_untrusted", -1);
            } else {
                refuse(bad.reason(), bad.reason().equals("invalid_sni") ? Alerts.UNRECOGNIZED_NAME : Alerts.DECODE_ERROR);
            }
            return;
        }
        if (r instanceof ParseResult.Parsed<ClientHello> ok) {
            ClientHello h = ok.value();
            rec.sni = h.sni();
            rec.alpn = h.alpn();
            rec.tls = h.tlsVersion();
            if (http == null) {
                decideTls(h);
                return;
            }
            String mismatch = http.checkHello(h); // inside a CONNECT tunnel: already decided on its host
            if (mismatch != null) {
                refuse(mismatch, Alerts.ACCESS_DENIED);
            } else {
                startRelay();
            }
        } else if (head.tooFragmented()) {
            error = "ClientHello still incomplete after " + Head.MAX_HELLO_RECORDS + " records";
            refuse(ClientHelloParser.MALFORMED, Alerts.DECODE_ERROR);
        }
    }

    // ---- deciding and resolving ---------------------------------------------------------

    private void decideTls(ClientHello h) {
        Decision d = Policy.decide(cfg, h.sni(), localPort, peer.getAddress());
        rec.reason = d.reason();
        rec.rule = d.rule() == null ? null : d.rule().pattern();
        if (!d.allowed()) {
            refuse(d.reason(), Alerts.ACCESS_DENIED);
            return;
        }
        allow(d.via(), d.upstream());
    }

    private void decideTcp() {
        rec.reason = "listener:" + listener.name();
        allow(Via.FIXED, listener.target());
    }

    private void allow(Via v, HostPort target) {
        rec.decision = "allow";
        rec.via = v.name().toLowerCase(Locale.ROOT);
        via = v;
        upstreamPort = target.port() > 0 ? target.port() : localPort;
        rec.upstream = target.host() + ":" + upstreamPort;
        state = State.DECIDING;
        deadline = EventLoop.nowMillis() + cfg.connectTimeoutMillis();
        services.resolver.resolve(target.host(), answer -> loop.execute(() -> resolved(answer)));
    }

    private void resolved(Resolver.Answer answer) {
        if (state != State.DECIDING) {
            return; // timed out or aborted meanwhile
        }
        if (!answer.ok()) {
            fail("dns_failed", answer.error());
            return;
        }
        List<InetAddress> usable = new ArrayList<>();
        String why = null;
        for (InetAddress a : answer.addresses()) {
            String f = via == Via.DIRECT ? Destinations.forbidden(a, cfg.directAllowSpecial()) : null;
            if (f == null) {
                usable.add(a);
            } else {
                why = a.getHostAddress() + " is " + f;
            }
        }
        if (usable.isEmpty()) {
            fail("destination_forbidden", why);
            return;
        }
        candidates = usable;
        candidate = 0;
        connectNext();
    }

    // ---- connecting -----------------------------------------------------------------------

    private void connectNext() {
        upstreamAddr = new InetSocketAddress(candidates.get(candidate), upstreamPort);
        rec.upstream = format(upstreamAddr);
        state = State.CONNECTING;
        connectStartedAt = EventLoop.nowMillis();
        deadline = connectStartedAt + cfg.connectTimeoutMillis();
        try {
            // IPv4 destinations get an IPv4 socket: no dual-stack IPV6_V6ONLY setsockopt per connection
            upstream = upstreamAddr.getAddress() instanceof java.net.Inet4Address
                    ? SocketChannel.open(java.net.StandardProtocolFamily.INET) : SocketChannel.open();
            upstream.configureBlocking(false);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
            upstreamKey = upstream.register(loop.selector(), SelectionKey.OP_CONNECT, this);
            if (upstream.connect(upstreamAddr)) {
                connected();
            }
        } catch (IOException e) {
            connectFailed(e);
            return;
        }
        updateInterest();
    }

    private void connectFailed(IOException e) {
        if (upstream != null) {
            loop.close(upstream);
        }
        upstream = null;
        upstreamKey = null;
        if (++candidate < candidates.size()) {
            connectNext();
            return;
        }
        boolean timedOut = EventLoop.nowMillis() >= deadline;
        fail(timedOut ? "connect_timeout" : "upstream_unreachable", e.getMessage());
    }

    private void connected() throws IOException {
        rec.connectMillis = EventLoop.nowMillis() - connectStartedAt;
        if (http != null && http.holdForHello()) { // CONNECT: 200 now, then read and check the hello
            state = State.READING_HELLO;
            deadline = EventLoop.nowMillis() + cfg.helloTimeoutMillis();
            http.flush(client);
            if (head.hasUnconsumed()) {
                parseHead(); // the hello may have come with the CONNECT
            }
            updateInterest();
            return;
        }
        startRelay();
    }

    private void startRelay() throws IOException {
        clientEarly = false;
        byte[] header = new byte[0];
        if (via == Via.PARENT && cfg.parentProxyProtocol()) {
            InetSocketAddress src = origin != null ? origin : peer;
            InetSocketAddress dst = (InetSocketAddress) client.getLocalAddress();
            header = ProxyV2.encode(src, dst);
        }
        sentHeaderLen = header.length;
        ByteBuffer replay = head.replay(header);
        head = null;
        up = new Pipe("client", client, "upstream", upstream);
        down = new Pipe("upstream", upstream, "client", client);
        up.preload(replay, loop.pool());
        if (http != null) {
            http.relaying(up, down, header.length, loop.pool());
        }
        state = State.RELAYING;
        up.flush(loop.pool());
        lastActivity = EventLoop.nowMillis();
        updateInterest();
    }

    // ---- refusing and closing ---------------------------------------------------------------

    /** Denies before any upstream exists: optional TLS alert or HTTP response, a short linger ({@link Farewell}), then close. */
    private void refuse(String reason, int alert) {
        rec.reason = reason;
        if (rec.closedBy == null) {
            rec.closedBy = "lnm";
        }
        byte[] bye = http != null ? http.refusal(reason, alert) : alert < 0 ? null : Alerts.fatal(alert);
        if (bye == null || !client.isOpen()) {
            closeNow(null);
            return;
        }
        farewell = new Farewell(client, bye);
        state = State.DRAINING;
        deadline = EventLoop.nowMillis() + Farewell.LINGER_MILLIS;
        head = null;
        try {
            farewell.write();
        } catch (IOException e) {
            closeNow(null);
            return;
        }
        updateInterest();
    }

    /**
     * Allowed, but the upstream could not be reached (decision stays {@code allow}) or its
     * address is forbidden (a {@code deny}): the client is told with an alert.
     */
    private void fail(String reason, String detail) {
        error = detail;
        if (reason.equals("destination_forbidden")) {
            rec.decision = "deny";
        }
        refuse(reason, Alerts.INTERNAL_ERROR);
    }

    private void updateInterest() {
        if (state == State.CLOSED) {
            return;
        }
        int ci = 0;
        int ui = 0;
        if (state == State.READING_HELLO) {
            ci = SelectionKey.OP_READ | (http != null && http.wantsWrite() ? SelectionKey.OP_WRITE : 0);
        } else if (farewell != null) {
            ci = farewell.interest();
        } else if (state == State.DECIDING || state == State.CONNECTING) {
            // The client's read interest stays as it was after the hello (one epoll_ctl less
            // each way: dropping it and adding it back are two) unless the client spoke again.
            ci = clientEarly ? 0 : SelectionKey.OP_READ;
            ui = state == State.CONNECTING ? SelectionKey.OP_CONNECT : 0;
        } else if (up != null) {
            ci = (up.wantsRead() ? SelectionKey.OP_READ : 0) | (down.wantsWrite() ? SelectionKey.OP_WRITE : 0);
            ui = (down.wantsRead() ? SelectionKey.OP_READ : 0) | (up.wantsWrite() ? SelectionKey.OP_WRITE : 0);
        }
        setInterest(clientKey, ci);
        setInterest(upstreamKey, ui);
    }

    private static void setInterest(SelectionKey k, int ops) {
        if (k != null && k.isValid() && k.interestOps() != ops) {
            k.interestOps(ops);
        }
    }

    private void closeNow(String side) {
        if (side != null && rec.closedBy == null) {
            rec.closedBy = side;
        }
        close();
    }

    private void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        loop.close(client);
        if (upstream != null) {
            loop.close(upstream);
        }
        if (up != null) {
            rec.bytesUp = Math.max(0, up.bytes() - sentHeaderLen);
            rec.bytesDown = down.bytes();
            up.release(loop.pool());
            down.release(loop.pool());
        }
        head = null;
        farewell = null;
        loop.remove(this);
        if (admitted) {
            services.release(peer.getAddress());
        }
        rec.error = error != null ? error : rec.error; // HttpFront may have said what was wrong
        services.finished(rec);
    }

    static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : Destinations.unmap(ip).getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
