package lnm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;

import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.audit.Verdict;
import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.ListenerSpec;
import lnm.config.Via;
import lnm.proxy.ProxyV2;
import lnm.tls.Alerts;

/**
 * The data path of one connection, over its {@link ConnectionCore}: accept ({@link Acceptor}
 * creates it) → head (read here, parsed by the listener's {@link Front}) → decide (the front)
 * → resolve and connect ({@link Dialer} over {@link Candidates}) → relay ({@link Relay}, a
 * {@link Pipe} each way) → close and audit (the core). Each step acts on the {@link Front.Step}
 * the front returned; the core audits it.
 */
final class Connection extends ConnectionCore implements Dialer.Events {
    private static final byte[] NO_HEADER = {};
    /** Each {@link Via}'s audit spelling, made once rather than per connection. */
    private static final String[] VIA_TEXT = Arrays.stream(Via.values()).map(Via::toString).toArray(String[]::new);

    Connection(EventLoop loop, Services services, Config cfg, ListenerSpec listener, SocketChannel client, InetSocketAddress peer) {
        super(loop, services, cfg, listener, client, peer);
    }

    /**
     * Registers with the loop; runs on the loop thread.
     *
     * @param admission what the limits said at accept
     */
    void start(Admission admission) {
        loop.add(this);
        admitted = admission.admitted();
        try {
            client.channel.configureBlocking(false);
            client.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
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
        if (!admitted) {
            refuseByLimit(admission, Services.key(source, cfg));
            return;
        }
        if (!listener.acceptProxyProtocol().contains(source)) {
            countedAs = Services.key(source, cfg); // a trusted PROXY peer's origin is counted once its header is read
        }
        if (!cfg.sources().contains(source)) {
            refuse(Reason.SOURCE_NOT_ALLOWED, Alerts.ACCESS_DENIED);
            return;
        }
        deadline = acceptedAt + cfg.helloTimeoutMillis();
        act(front.start(head));
        updateInterest();
    }

    // ---- the head -----------------------------------------------------------------------------

    /**
     * Reads what came and hands the whole head to the front. The buffer may pass its cap by at
     * most one read, and the size is judged after parsing, so a refusal names what is really
     * wrong (a malformed or over-fragmented hello) whatever the TCP segmentation.
     */
    @Override
    void readHead() throws IOException {
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
            counted = true;
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
            if (admitted && countedAs == null) {
                InetAddress key = Services.key(front.origin().getAddress(), cfg);
                Admission refused = services.admitOrigin(key, cfg);
                if (!refused.admitted()) {
                    refuseByLimit(refused, key);
                    return;
                }
                countedAs = key;
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

    // ---- deciding ---------------------------------------------------------------------------

    private void allow(Front.Connect c) {
        rec.decision(Verdict.ALLOW);
        rec.reason(c.reason(), c.qualifier());
        rec.via(VIA_TEXT[c.via().ordinal()]);
        via = c.via();
        state = State.DECIDING;
        dialer = new Dialer(loop, this, this, services);
        dialer.start(candidates(c), via == Via.DIRECT ? services.destinations().guard(cfg.directAllowSpecial()) : null);
    }

    /** Every parent, in the order their health gives, for a parent destination; else the one target. */
    private Candidates candidates(Front.Connect c) {
        if (via == Via.PARENT) {
            List<HostPort> order = services.parents.candidates();
            return Candidates.parents(order.isEmpty() ? cfg.parents() : order, c.port());
        }
        return Candidates.of(c.target().withDefaultPort(c.port()));
    }

    // ---- connecting (what the dialer reports) ------------------------------------------------

    @Override
    public boolean dialing() {
        return state == State.DECIDING || state == State.CONNECTING;
    }

    @Override
    public void resolving(HostPort destination) {
        rec.upstream(destination);
        deadline = EventLoop.nowMillis() + cfg.connectTimeoutMillis();
    }

    @Override
    public void attempt(InetSocketAddress address) {
        rec.upstream(address);
        state = State.CONNECTING;
        deadline = EventLoop.nowMillis() + cfg.connectTimeoutMillis();
    }

    @Override
    public void connected(long connectMillis) {
        upstream = dialer.upstream();
        upstreamKey = dialer.key();
        dialer = null; // done: what it tried and resolved is not kept for the relay's life
        rec.connectMillis((int) connectMillis);
        act(front.onConnected());
    }

    /** A CONNECT answered: write the 200 and read the tunnel's hello (it may have come with the CONNECT). */
    private void tunnelHello(Front.TunnelHello hold) {
        state = State.TUNNEL_HELLO;
        rec.status(hold.status());
        deadline = EventLoop.nowMillis() + cfg.helloTimeoutMillis();
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

    @Override
    void writeToClient() throws IOException {
        if (toClient != null) {
            client.write(toClient);
        }
    }

    // ---- relaying -----------------------------------------------------------------------------

    private void startRelay(byte[] first) {
        clientEarly = false;
        byte[] header = NO_HEADER;
        if (via == Via.PARENT && cfg.parentProxyProtocol()) {
            InetSocketAddress src = front.origin() != null ? front.origin() : rec.clientAddress();
            header = ProxyV2.encode(src, local);
        }
        relay = new Relay(client, upstream, head.replay(header), header.length, CoreAudit.join(toClient, first), loop.pool());
        dropHead();
        toClient = null;
        Pipe.Gate gate = front.gate(relay.down(), header.length, this::act);
        if (gate != null) {
            relay.up().gate(gate);
        } else {
            front = null; // without a gate nothing asks the front anything once relaying
        }
        state = State.RELAYING;
        lastActivity = EventLoop.nowMillis();
        try {
            relay.start(loop.pool());
        } catch (IOException e) {
            failed(e, false);
            return;
        }
        updateInterest();
    }

}
