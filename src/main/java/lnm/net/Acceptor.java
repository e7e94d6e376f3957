package lnm.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

import lnm.config.Config;
import lnm.config.IpLiteral;
import lnm.config.ListenerSpec;
import lnm.floor.EventLoop;

/**
 * Owns the listening sockets. Each listener is one {@code SO_REUSEPORT} group of sockets, one
 * per event loop, each registered with its own loop ({@link LoopAccepts}): the kernel spreads
 * new connections over the group's accept queues, and each loop accepts on its own socket and
 * runs what it accepted, unless another loop has fewer connections (see {@link LoopAccepts}).
 * On Linux only processes of the same user can join such a group; a port already
 * bound by anyone (a second lnm included) is found by a plain bind first and reported as "cannot
 * bind", as without {@code SO_REUSEPORT}. Where the option is missing, the first loop has the
 * one socket and runs every connection.
 *
 * <p>Binding and closing run on the calling thread, one call at a time; registering a socket
 * with a loop, and closing it so that its port is free on return, run on that loop.
 */
final class Acceptor {
    private static final Logger LOG = Logger.getLogger(Acceptor.class.getName());
    private static final long LOOP_ANSWER_SECONDS = 10;

    private final LoopAccepts[] loops;
    private final boolean reusePort;
    /** Each bound listener's sockets, index i on loop i. */
    private final Map<String, ServerSocketChannel[]> bound = new ConcurrentHashMap<>();
    private volatile int boundCount;

    Acceptor(EventLoop[] loops, Services services) throws IOException {
        this.loops = new LoopAccepts[loops.length];
        for (int i = 0; i < loops.length; i++) {
            this.loops[i] = new LoopAccepts(loops[i], services);
        }
        for (LoopAccepts la : this.loops) {
            la.placeAmong(this.loops);
        }
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            this.reusePort = probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        }
    }

    /**
     * Binds the listeners of {@code c} that are not bound yet and closes those it no longer
     * has (or whose address changed).
     *
     * @return one message per listener that could not be bound
     */
    synchronized List<String> sync(Config c) {
        Map<String, ListenerSpec> want = new HashMap<>();
        for (ListenerSpec l : c.listeners()) {
            want.put(l.name(), l);
        }
        List<String> problems = new ArrayList<>();
        for (var it = bound.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            ListenerSpec l = want.get(e.getKey());
            if (l == null || !sameBind(l.bind(), localAddress(e.getValue()[0]))) {
                closeGroup(e.getValue());
                it.remove();
                LOG.info("listener " + e.getKey() + " closed");
            }
        }
        for (ListenerSpec l : c.listeners()) {
            if (bound.containsKey(l.name())) {
                continue;
            }
            try {
                ServerSocketChannel[] group = bindGroup(l.bind());
                bound.put(l.name(), group);
                register(l.name(), group);
                LOG.info("listener " + l.name() + " (" + l.mode() + ") on " + IpLiteral.format(localAddress(group[0]))
                        + (group.length > 1 ? ", one socket per loop" : ""));
            } catch (IOException | UnsupportedAddressTypeException e) {
                ServerSocketChannel[] group = bound.remove(l.name());
                if (group != null) {
                    closeGroup(group);
                }
                // the JDK throws UnsupportedAddressTypeException for an IPv6 address when it
                // finds no IPv6 on this box (for one, when /proc/net/if_inet6 is hidden)
                String why = e instanceof UnsupportedAddressTypeException
                        ? "IPv6 is not available to this process (is /proc/net/if_inet6 readable?)" : e.getMessage();
                problems.add("listener " + l.name() + ": cannot bind " + l.bindText() + ": " + why);
            }
        }
        boundCount = bound.size();
        return problems;
    }

    /**
     * Binds one socket per loop to {@code at}: a plain bind first, so that a port someone holds
     * (with or without {@code SO_REUSEPORT}) fails here instead of being shared, then the group
     * on the port that bind got (port 0 means any free port).
     */
    private ServerSocketChannel[] bindGroup(InetSocketAddress at) throws IOException {
        InetSocketAddress where = at;
        if (reusePort) {
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                probe.bind(at);
                where = new InetSocketAddress(at.getAddress(), localAddress(probe).getPort());
            }
        }
        ServerSocketChannel[] group = new ServerSocketChannel[reusePort ? loops.length : 1];
        try {
            for (int i = 0; i < group.length; i++) {
                ServerSocketChannel ch = ServerSocketChannel.open();
                group[i] = ch;
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (reusePort) {
                    ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                ch.bind(where, 4096);
            }
        } catch (IOException e) {
            for (ServerSocketChannel ch : group) {
                if (ch != null) {
                    EventLoop.closeQuietly(ch);
                }
            }
            throw e;
        }
        return group;
    }

    /** Registers socket i with loop i, on that loop. */
    private void register(String name, ServerSocketChannel[] group) throws IOException {
        for (int i = 0; i < group.length; i++) {
            LoopAccepts la = loops[i];
            ServerSocketChannel ch = group[i];
            IOException failed = onLoop(la.loop(), () -> {
                try {
                    la.add(name, ch);
                    return null;
                } catch (IOException e) {
                    return e;
                }
            }, new IOException("event loop " + i + " did not answer"));
            if (failed != null) {
                throw failed;
            }
        }
    }

    /** Closes every socket of a group, each on its loop, so that the port is free on return. */
    private void closeGroup(ServerSocketChannel[] group) {
        for (int i = 0; i < group.length; i++) {
            LoopAccepts la = loops[i];
            ServerSocketChannel ch = group[i];
            boolean done = onLoop(la.loop(), () -> {
                la.remove(ch);
                return Boolean.TRUE;
            }, Boolean.FALSE);
            if (!done) {
                EventLoop.closeQuietly(ch);
            }
        }
    }

    /** Runs {@code task} on {@code loop} (or here, when it is not running) and waits for it. */
    private static <T> T onLoop(EventLoop loop, Supplier<T> task, T ifLost) {
        if (!loop.started() || loop.inLoop() || !loop.selector().isOpen()) {
            return task.get();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(task.get()));
        try {
            return f.get(LOOP_ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ifLost;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning("acceptor task failed: " + e);
            return ifLost;
        }
    }

    /** Closes every bound listener (a start that failed part-way, or shutdown). */
    synchronized void closeAll() {
        for (ServerSocketChannel[] group : bound.values()) {
            closeGroup(group);
        }
        bound.clear();
        boundCount = 0;
    }

    int boundCount() {
        return boundCount;
    }

    /** The address a listener is bound to (with the real port when configured as 0). */
    Optional<InetSocketAddress> address(String name) {
        ServerSocketChannel[] group = bound.get(name);
        return group == null ? Optional.empty() : Optional.ofNullable(localAddress(group[0]));
    }

    /** Stops accepting: closes every listener (each socket on its loop) and waits for that. */
    void stop() {
        closeAll();
    }

    /** Accepts that failed (descriptors ran out), over all loops. */
    long acceptFailures() {
        long n = 0;
        for (LoopAccepts la : loops) {
            n += la.acceptFailures();
        }
        return n;
    }

    /** Port 0 (any free port, used by tests) matches whatever port the socket got. */
    private static boolean sameBind(InetSocketAddress wanted, InetSocketAddress actual) {
        if (actual == null) {
            return false;
        }
        return wanted.getAddress().equals(actual.getAddress()) && (wanted.getPort() == 0 || wanted.getPort() == actual.getPort());
    }

    private static InetSocketAddress localAddress(ServerSocketChannel ch) {
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
