package lnm.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.ListenerSpec;
import lnm.floor.EventLoop;

/**
 * One event loop's share of the listeners: its own listening socket of each (see
 * {@link Acceptor}), the accepts on them, and the back-off when descriptors run out. Confined to
 * its loop: sockets are added and removed by tasks on it (or before it starts), and an accepted
 * connection starts right here unless another loop has fewer (below).
 *
 * <p>The kernel spreads new connections over the loops' sockets by a hash of their addresses, which
 * is even only on average: eight long-lived connections land five and three, or six and two, as
 * often as four and four, and the busier loop's clients wait longer for every byte. So an
 * admitted connection is placed on the loop with the fewest connections, this one on a tie (as
 * HAProxy's listener places each accepted connection on the less loaded of its threads). Most
 * stay where they were accepted; one placed elsewhere is handed over as a task, which wakes that
 * loop only if it is idle. Refusals stay where they were accepted: they are over at once.
 *
 * <p>When the process runs out of file descriptors, accept fails; this loop then stops asking
 * for accepts for {@link #BACKOFF_MILLIS} instead of spinning on a socket that stays ready, and
 * counts the event. Each loop backs off on its own: the sockets are separate.
 */
final class LoopAccepts {
    private static final Logger LOG = Logger.getLogger(LoopAccepts.class.getName());
    static final long BACKOFF_MILLIS = 100;
    /** Accepts per socket per ready event at most, so a burst never starves relaying. */
    static final int BATCH = 64;

    private final EventLoop loop;
    private final Services services;
    private final ArrayList<Listening> listening = new ArrayList<>();
    /** Every loop's share, this one included: where a connection may be placed. */
    private LoopAccepts[] all = {this};
    /** Connections handed to this loop by another and not yet started here. */
    private final AtomicInteger inbound = new AtomicInteger();
    private long pausedUntil;
    private volatile long acceptFailures;

    LoopAccepts(EventLoop loop, Services services) {
        this.loop = loop;
        this.services = services;
        loop.everyTick(this::resumeAfterBackoff);
    }

    EventLoop loop() {
        return loop;
    }

    /** The loops a connection accepted here may be placed on; set once, before any accept. */
    void placeAmong(LoopAccepts[] loops) {
        this.all = loops;
    }

    /** Connections this loop runs or is about to run (read from any loop's thread). */
    private int load() {
        return loop.liveCount() + inbound.get();
    }

    /** The loop with the fewest connections; this one unless another has fewer. */
    private LoopAccepts leastLoaded() {
        LoopAccepts best = this;
        int least = load();
        for (LoopAccepts other : all) {
            if (other != this) {
                int l = other.load();
                if (l < least) {
                    least = l;
                    best = other;
                }
            }
        }
        return best;
    }

    /** Starts a connection accepted by another loop here, on this loop's thread. */
    private void adopt(Config c, ListenerSpec spec, SocketChannel ch, InetSocketAddress peer) {
        inbound.incrementAndGet();
        loop.execute(() -> {
            try {
                new Connection(loop, services, c, spec, ch, peer, Admission.ADMITTED).start();
            } catch (RuntimeException e) {
                EventLoop.closeQuietly(ch);
                throw e;
            } finally {
                inbound.decrementAndGet(); // counted by the loop itself from here on
            }
        });
    }

    /** Starts accepting on {@code ch} (bound, blocking); on the loop thread or before it starts. */
    void add(String name, ServerSocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        Listening l = new Listening(name);
        l.key = ch.register(loop.selector(), pausedUntil != 0 ? 0 : SelectionKey.OP_ACCEPT, l);
        listening.add(l);
    }

    /**
     * Stops accepting on {@code ch} and closes it so that its port is free when this returns:
     * closed while still registered, the JDK would only release the socket at the loop's next
     * select. On the loop thread, or before it starts or after it ended.
     */
    void remove(ServerSocketChannel ch) {
        SelectionKey k = ch.keyFor(loop.selector());
        if (k != null) {
            listening.remove((Listening) k.attachment());
            k.cancel();
            loop.deregisterCancelled();
        }
        EventLoop.closeQuietly(ch);
    }

    long acceptFailures() {
        return acceptFailures;
    }

    /** A listening socket's key attachment: which listener a ready key is, without a lookup. */
    private final class Listening implements EventLoop.Ready {
        private final String name;
        private SelectionKey key;
        /** The config the listener's spec was last looked up in, and that spec. */
        private Config seen;
        private ListenerSpec spec;

        Listening(String name) {
            this.name = name;
        }

        @Override
        public void onReady(SelectionKey key) {
            ServerSocketChannel server = (ServerSocketChannel) key.channel();
            for (int i = 0; i < BATCH; i++) { // bounded batch, then let the loop's other keys have a turn
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    backoff(e);
                    return;
                }
                if (ch == null) {
                    return;
                }
                start(ch);
            }
        }

        @Override
        public void onFailure(Throwable t) {
            LOG.log(java.util.logging.Level.SEVERE, "accept on listener " + name + " failed", t);
        }

        /** Counts the client against the limits and starts its connection on this loop. */
        private void start(SocketChannel ch) {
            Config c = services.config();
            if (c != seen) { // a reload may change the listener's mode or options under the same name
                seen = c;
                spec = find(c, name);
            }
            InetSocketAddress peer;
            try {
                peer = (InetSocketAddress) ch.getRemoteAddress(); // remembered by accept: no system call
            } catch (IOException e) {
                EventLoop.closeQuietly(ch);
                return;
            }
            if (spec == null || peer == null) {
                EventLoop.closeQuietly(ch);
                return;
            }
            Admission refused = services.admit(spec, peer.getAddress(), c);
            LoopAccepts to = refused.admitted() && all.length > 1 ? leastLoaded() : LoopAccepts.this;
            if (to != LoopAccepts.this) {
                to.adopt(c, spec, ch, peer);
                return;
            }
            new Connection(loop, services, c, spec, ch, peer, refused).start();
        }
    }

    private static ListenerSpec find(Config c, String name) {
        for (ListenerSpec l : c.listeners()) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }

    private void backoff(IOException e) {
        long n = ++acceptFailures;
        if (n % 100 == 1) {
            LOG.warning("accept failed (" + e.getMessage() + "); pausing accepts on " + Thread.currentThread().getName()
                    + " for " + BACKOFF_MILLIS + " ms");
        }
        pausedUntil = loop.now() + BACKOFF_MILLIS;
        setInterest(0);
    }

    /** Ticks come every {@link EventLoop#TICK_MILLIS}, the same as the backoff. */
    private void resumeAfterBackoff(long now) {
        if (pausedUntil != 0 && now >= pausedUntil) {
            pausedUntil = 0;
            setInterest(SelectionKey.OP_ACCEPT);
        }
    }

    private void setInterest(int ops) {
        for (int i = 0; i < listening.size(); i++) {
            SelectionKey k = listening.get(i).key;
            if (k.isValid()) {
                k.interestOps(ops);
            }
        }
    }
}
