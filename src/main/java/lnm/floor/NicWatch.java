package lnm.floor;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

import lnm.config.InterfaceAddresses;
import lnm.config.IpLiteral;

/**
 * Follows the addresses of the network interfaces the config names ({@code listen.https =
 * eth1:443}, {@code dns.listen}, {@code dns.answer}): one thread, {@code lnm-nic-watch}, lists
 * them every {@link #PERIOD_MILLIS} ms, logs each change as one line
 * ({@code interface eth1: added 10.9.0.5; removed 10.9.0.4}) and hands the whole snapshot to
 * its owners (the listeners' acceptor, the DNS server). The owners run on this thread and pass
 * what touches an event loop through that loop's task queue; nothing here blocks a loop.
 *
 * <p>Polling rather than a netlink subscription: the JDK has no netlink, and a DHCP lease or an
 * operator's {@code ip addr} change is followed within a period either way. The addresses come
 * from {@link InterfaceAddresses#up()} (an interface that is down has none here), which falls
 * back to {@code ip -o addr} for IPv6 where procfs is hidden.
 *
 * <p>What is kept of an interface's addresses: IPv6 link-local addresses are dropped (they are
 * valid only with a scope, on one link; a level below reaches the box on a routable address, and
 * the wildcard DNS binds skip them too), scope ids are cleared, and at most
 * {@link #MAX_ADDRESSES} are kept (the first listed; a warning names the rest once), so an
 * interface with hundreds of addresses cannot make the box open hundreds of sockets per loop.
 *
 * <p>Owners are called after every poll, changed or not, so that an owner retries a bind that
 * failed (an IPv6 address still in duplicate address detection cannot be bound yet).
 */
public final class NicWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NicWatch.class.getName());
    public static final long PERIOD_MILLIS = 2_000;
    /** Addresses kept per interface; the rest are ignored (and named in a warning once). */
    public static final int MAX_ADDRESSES = 64;
    /** Interfaces watched at most (the config names few; this bounds a hostile one). */
    public static final int MAX_INTERFACES = 64;

    /** A watcher that never runs: every interface has no addresses (tests, boxes that name none). */
    public static NicWatch none() {
        return new NicWatch(Map::of, PERIOD_MILLIS);
    }

    private final Supplier<Map<String, List<InetAddress>>> lister;
    private final long periodMillis;
    private final List<Consumer<Map<String, List<InetAddress>>>> owners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Set<String> capped = new HashSet<>();
    private volatile Set<String> names = Set.of();
    private volatile Map<String, List<InetAddress>> current = Map.of();
    private boolean pollSoon;
    private boolean closed;
    private Thread thread;

    /**
     * @param lister interface name to its addresses, of every interface that is up
     *     ({@link InterfaceAddresses#up()} on a real box)
     */
    public NicWatch(Supplier<Map<String, List<InetAddress>>> lister, long periodMillis) {
        this.lister = lister;
        this.periodMillis = periodMillis;
    }

    /** The watcher of this box's interfaces. */
    public static NicWatch system() {
        return new NicWatch(InterfaceAddresses::up, PERIOD_MILLIS);
    }

    /** Calls {@code owner} with the snapshot after every poll, on the watcher's thread. */
    public void onChange(Consumer<Map<String, List<InetAddress>>> owner) {
        owners.add(owner);
    }

    /**
     * Watches these interfaces from now on (the config's, at start and on every reload) and
     * polls them at once, on the calling thread, so that what follows sees their addresses.
     */
    public void watch(Set<String> interfaces) {
        Set<String> s = new LinkedHashSet<>();
        for (String n : interfaces) {
            if (s.size() >= MAX_INTERFACES) {
                LOG.warning("watching at most " + MAX_INTERFACES + " interfaces; ignoring " + n);
                continue;
            }
            s.add(n);
        }
        names = Set.copyOf(s);
        poll(false);
    }

    /** The addresses of a watched interface now (empty when it is missing, down or unwatched). */
    public List<InetAddress> addresses(String nic) {
        return current.getOrDefault(nic, List.of());
    }

    /** Every watched interface's addresses now. */
    public Map<String, List<InetAddress>> addresses() {
        return current;
    }

    /** Lists the watched interfaces once, logs what changed and, with {@code notify}, tells the owners. */
    public void poll(boolean notify) {
        Map<String, List<InetAddress>> next;
        synchronized (this) {
            Set<String> watched = names;
            if (watched.isEmpty() && current.isEmpty()) {
                return;
            }
            Map<String, List<InetAddress>> all = watched.isEmpty() ? Map.of() : safeList();
            next = new LinkedHashMap<>();
            for (String n : watched) {
                next.put(n, kept(n, all.getOrDefault(n, List.of())));
            }
            Map<String, List<InetAddress>> before = current;
            for (String n : watched) {
                logChange(n, before.get(n), next.get(n));
            }
            current = Map.copyOf(next);
        }
        if (notify) {
            for (Consumer<Map<String, List<InetAddress>>> o : owners) {
                try {
                    o.accept(current);
                } catch (RuntimeException e) {
                    LOG.warning("interface watch: an owner failed: " + e);
                }
            }
        }
    }

    private Map<String, List<InetAddress>> safeList() {
        try {
            Map<String, List<InetAddress>> m = lister.get();
            return m == null ? Map.of() : m;
        } catch (RuntimeException e) {
            LOG.warning("interface watch: cannot list interfaces: " + e);
            return current; // keep what is bound rather than closing it on a failed listing
        }
    }

    /** Routable addresses without scope, the first {@link #MAX_ADDRESSES}. */
    private List<InetAddress> kept(String nic, List<InetAddress> listed) {
        Set<InetAddress> out = new LinkedHashSet<>();
        int dropped = 0;
        for (InetAddress a : listed) {
            if (a == null || a.isLinkLocalAddress() && a instanceof Inet6Address || a.isAnyLocalAddress() || a.isMulticastAddress()) {
                continue;
            }
            InetAddress plain = withoutScope(a);
            if (out.contains(plain)) {
                continue;
            }
            if (out.size() >= MAX_ADDRESSES) {
                dropped++;
                continue;
            }
            out.add(plain);
        }
        if (dropped > 0 && capped.add(nic)) {
            LOG.warning("interface " + nic + " has " + (out.size() + dropped) + " addresses; lnm uses the first "
                    + MAX_ADDRESSES + " and ignores " + dropped);
        } else if (dropped == 0) {
            capped.remove(nic);
        }
        return List.copyOf(out);
    }

    private static void logChange(String nic, List<InetAddress> before, List<InetAddress> after) {
        if (before == null) {
            LOG.info(after.isEmpty() ? "interface " + nic + ": no addresses (missing or down); waiting for one"
                    : "interface " + nic + ": " + text(after));
            return;
        }
        List<InetAddress> added = new ArrayList<>(after);
        added.removeAll(before);
        List<InetAddress> removed = new ArrayList<>(before);
        removed.removeAll(after);
        if (added.isEmpty() && removed.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("interface ").append(nic).append(':');
        if (!added.isEmpty()) {
            sb.append(" added ").append(text(added));
        }
        if (!removed.isEmpty()) {
            sb.append(added.isEmpty() ? " " : "; ").append("removed ").append(text(removed));
        }
        if (after.isEmpty()) {
            sb.append("; no addresses left (missing or down); waiting for one");
        }
        LOG.info(sb.toString());
    }

    private static String text(List<InetAddress> l) {
        return String.join(", ", l.stream().map(IpLiteral::format).toList());
    }

    private static InetAddress withoutScope(InetAddress a) {
        if (a instanceof Inet6Address && ((Inet6Address) a).getScopeId() != 0) {
            try {
                return InetAddress.getByAddress(a.getAddress());
            } catch (UnknownHostException e) {
                return a; // 16 bytes are always an address
            }
        }
        return a;
    }

    /** Starts the thread that polls every period; idempotent. */
    public void start() {
        lock.lock();
        try {
            if (thread != null || closed) {
                return;
            }
            thread = new Thread(this::run, "lnm-nic-watch");
            thread.setDaemon(true);
            thread.start();
        } finally {
            lock.unlock();
        }
    }

    /** Asks for a poll now instead of at the end of the period (tests; a reload). */
    public void pollSoon() {
        lock.lock();
        try {
            pollSoon = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(periodMillis);
                while (!closed && !pollSoon && left > 0) {
                    left = wake.awaitNanos(left);
                }
                if (closed) {
                    return;
                }
                pollSoon = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            poll(true);
        }
    }

    /** Stops the thread (waits at most a few seconds for a poll in progress). */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
