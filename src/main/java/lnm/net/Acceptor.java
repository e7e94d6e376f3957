package lnm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
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
import lnm.config.InterfaceName;
import lnm.config.IpLiteral;
import lnm.config.ListenerSpec;
import lnm.floor.EventLoop;
import lnm.floor.NicWatch;

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
 * <p>A listener named by interface ({@code listen.https = eth1:443}) has one such group per
 * address of the interface, opened and closed as {@link NicWatch} sees addresses come and go.
 *
 * <p>Binding and closing run on the calling thread, one call at a time; registering a socket
 * with a loop, and closing it so that its port is free on return, run on that loop.
 */
final class Acceptor {
    private static final Logger LOG = Logger.getLogger(Acceptor.class.getName());
    private static final long LOOP_ANSWER_SECONDS = 10;

    private final LoopAccepts[] loops;
    private final boolean reusePort;
    private final NicWatch nics;
    /** Each bound listener's socket groups, by the name of the listener. */
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();
    private volatile int boundCount;

    /**
     * A listener's sockets: one group per address it binds (one address, or each address of its
     * interface), socket i of a group on loop i.
     */
    private static final class Bound {
        /** The bind as configured: an address, or an interface name ({@link InterfaceName#of}). */
        final InetSocketAddress configured;
        final Map<InetAddress, ServerSocketChannel[]> groups = new LinkedHashMap<>();
        /** Addresses whose bind failed, so that a retry at every poll logs only once. */
        final Set<InetAddress> failed = new HashSet<>();
        /** The port every group shares: the configured one, or the first group's with port 0. */
        int port;

        Bound(InetSocketAddress configured) {
            this.configured = configured;
            this.port = configured.getPort();
        }
    }

    Acceptor(EventLoop[] loops, Services services) throws IOException {
        this(loops, services, NicWatch.none());
    }

    /** @param nics the addresses of the interfaces listeners may name; followed as they change */
    Acceptor(EventLoop[] loops, Services services, NicWatch nics) throws IOException {
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
        this.nics = nics;
        nics.onChange(m -> follow());
    }

    /**
     * Binds the listeners of {@code c} that are not bound yet and closes those it no longer
     * has (or whose address changed). A listener named by interface binds each address the
     * interface has now ({@link NicWatch}); with none it waits, bound to nothing, and
     * {@link #follow} binds it when an address appears.
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
            if (l == null || !sameBind(l.bind(), e.getValue())) {
                e.getValue().groups.values().forEach(this::closeGroup);
                it.remove();
                LOG.info("listener " + e.getKey() + " closed");
            }
        }
        for (ListenerSpec l : c.listeners()) {
            Bound b = bound.get(l.name());
            if (b != null && l.nic().isEmpty()) {
                continue;
            }
            boolean fresh = b == null;
            if (fresh) {
                b = new Bound(l.bind());
                bound.put(l.name(), b);
            }
            try {
                // A new listener on an address fails as a whole. One on an interface fails only
                // when none of its addresses can be bound (the port is taken): one address that
                // cannot be bound yet (IPv6 still in duplicate address detection) is retried
                // at the next poll, as is everything for a listener already following it.
                Exception failed = place(l.name(), fresh ? l : null, b, fresh && l.nic().isEmpty());
                if (fresh && failed != null && b.groups.isEmpty()) {
                    if (failed instanceof IOException io) {
                        throw io;
                    }
                    throw (RuntimeException) failed;
                }
            } catch (IOException | UnsupportedAddressTypeException e) {
                bound.remove(l.name()).groups.values().forEach(this::closeGroup);
                // the JDK throws UnsupportedAddressTypeException for an IPv6 address when it
                // finds no IPv6 on this box (for one, when /proc/net/if_inet6 is hidden)
                problems.add("listener " + l.name() + ": cannot bind " + l.bindText() + ": " + why(e));
            }
        }
        countBound();
        return problems;
    }

    /**
     * After the interfaces were listed again (on the watcher's thread): each listener named by
     * interface binds the addresses it gained and closes the sockets of those it lost; its
     * established connections stay. A bind that fails is logged once and retried next time.
     */
    synchronized void follow() {
        for (Map.Entry<String, Bound> e : bound.entrySet()) {
            if (e.getValue().configured.isUnresolved()) {
                try {
                    place(e.getKey(), null, e.getValue(), false);
                } catch (IOException | UnsupportedAddressTypeException ex) {
                    LOG.warning("listener " + e.getKey() + ": " + why(ex)); // place() reports per address
                }
            }
        }
        countBound();
    }

    /**
     * Makes {@code b}'s groups match the addresses it should have: its one address, or its
     * interface's addresses now.
     *
     * @param spec the listener when it is new (its mode is logged), else null
     * @param strict throw on the first address that cannot be bound (start, reload) instead of
     *     logging it and trying again at the next poll
     * @return the first failure to bind when not strict, else null
     */
    private Exception place(String name, ListenerSpec spec, Bound b, boolean strict) throws IOException {
        Exception first = null;
        Optional<String> nic = InterfaceName.of(b.configured);
        List<InetAddress> want = nic.isPresent() ? nics.addresses(nic.get()) : List.of(b.configured.getAddress());
        for (var it = b.groups.entrySet().iterator(); it.hasNext();) {
            var g = it.next();
            if (!want.contains(g.getKey())) {
                closeGroup(g.getValue());
                it.remove();
                LOG.info("listener " + name + ": " + IpLiteral.format(g.getKey()) + " left interface " + nic.orElse("?")
                        + "; its socket closed, its connections stay");
            }
        }
        b.failed.retainAll(want);
        for (InetAddress a : want) {
            if (b.groups.containsKey(a)) {
                continue;
            }
            ServerSocketChannel[] group;
            try {
                group = bindGroup(new InetSocketAddress(a, b.port));
                b.groups.put(a, group);
                register(name, group);
            } catch (IOException | UnsupportedAddressTypeException e) {
                ServerSocketChannel[] half = b.groups.remove(a);
                if (half != null) {
                    closeGroup(half);
                }
                if (strict) {
                    throw e;
                }
                first = first == null ? e : first;
                if (b.failed.add(a)) {
                    LOG.warning("listener " + name + ": cannot bind " + IpLiteral.format(new InetSocketAddress(a, b.port))
                            + " of interface " + nic.orElse("?") + ": " + why(e) + "; trying again as the interface is watched");
                }
                continue;
            }
            b.failed.remove(a);
            if (b.port == 0) {
                b.port = localAddress(group[0]).getPort(); // the other addresses of an interface share it
            }
            LOG.info("listener " + name + (spec != null ? " (" + spec.mode() + ")" : "") + " on "
                    + IpLiteral.format(localAddress(group[0])) + nic.map(n -> " (interface " + n + ")").orElse("")
                    + (group.length > 1 ? ", one socket per loop" : ""));
        }
        if (nic.isPresent() && want.isEmpty() && spec != null) {
            LOG.info("listener " + name + " (" + spec.mode() + ") waits for interface " + nic.get()
                    + " to have an address (it is missing, down or has none)");
        }
        return first;
    }

    private static String why(Exception e) {
        return e instanceof UnsupportedAddressTypeException
                ? "IPv6 is not available to this process (is /proc/net/if_inet6 readable?)" : e.getMessage();
    }

    /** Listeners that have at least one socket group: the ones that accept. */
    private void countBound() {
        int n = 0;
        for (Bound b : bound.values()) {
            if (!b.groups.isEmpty()) {
                n++;
            }
        }
        boundCount = n;
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
        for (Bound b : bound.values()) {
            b.groups.values().forEach(this::closeGroup);
        }
        bound.clear();
        boundCount = 0;
    }

    int boundCount() {
        return boundCount;
    }

    /**
     * The address a listener is bound to (with the real port when configured as 0); for one
     * named by interface, its first bound address; empty while nothing is bound.
     */
    Optional<InetSocketAddress> address(String name) {
        return addresses(name).stream().findFirst();
    }

    /** Every address a listener is bound to now (each of its interface's). */
    synchronized List<InetSocketAddress> addresses(String name) {
        Bound b = bound.get(name);
        List<InetSocketAddress> out = new ArrayList<>();
        if (b != null) {
            for (ServerSocketChannel[] g : b.groups.values()) {
                InetSocketAddress a = localAddress(g[0]);
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
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

    /** The same address or interface and port; port 0 (any free port, used by tests) matches whatever port it got. */
    private static boolean sameBind(InetSocketAddress wanted, Bound b) {
        InetSocketAddress had = b.configured;
        if (wanted.isUnresolved() || had.isUnresolved()) {
            return wanted.isUnresolved() && had.isUnresolved() && wanted.getHostString().equals(had.getHostString())
                    && wanted.getPort() == had.getPort();
        }
        return wanted.getAddress().equals(had.getAddress()) && (wanted.getPort() == 0 || wanted.getPort() == had.getPort());
    }

    private static InetSocketAddress localAddress(ServerSocketChannel ch) {
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
