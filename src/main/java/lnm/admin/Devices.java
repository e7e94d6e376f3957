package lnm.admin;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import lnm.audit.AuditRecord;
import lnm.audit.Verdict;
import lnm.config.IpLiteral;

/**
 * The devices the appliance has seen, from every finished connection's audit record, in
 * bounded memory.
 *
 * <p>A device is an IP address (no port): the origin a trusted PROXY header named (the device
 * behind a child lnm), else the client's address. Per device, {@link Device} keeps first and
 * last seen, allowed / denied / would-deny counts, the names asked for and the JA4
 * fingerprints, and counts a fingerprint change each time a record's fingerprint differs from
 * the device's previous one.
 *
 * <p>Records arrive on loop threads, so the table is split into {@link #STRIPES} stripes by
 * address, each a small access-ordered map behind its own lock: recording is a hash lookup and
 * a few bounded scans under that lock, and allocates only for a device, name or fingerprint
 * not seen before. Reading copies one stripe at a time, so a reader never holds up more than
 * one stripe's writers, and only for that copy.
 *
 * <p>Bound: each stripe holds at most {@code capacity / STRIPES} devices. A new device arriving
 * at a full stripe evicts one: among the {@link #EVICTION_WINDOW} least recently seen devices
 * of that stripe, the least active (fewest connections); ties go to the least recently seen.
 * So a burst of one-shot addresses (a scan) replaces other one-shot addresses, while a device
 * that made many connections outlives a short pause.
 */
final class Devices {
    /** Devices kept at most, by default. */
    static final int CAPACITY = 4096;
    static final int STRIPES = 16;
    static final int EVICTION_WINDOW = 32;

    /** One stripe: devices in least recently seen first order. */
    private static final class Stripe {
        final LinkedHashMap<InetAddress, Device> devices = new LinkedHashMap<>(16, 0.75f, true);
    }

    private final Stripe[] stripes;
    private final int perStripe;
    private final LongAdder fingerprintChanges = new LongAdder();
    private final LongAdder evicted = new LongAdder();

    Devices() {
        this(CAPACITY, STRIPES);
    }

    /** {@code capacity} devices in {@code stripes} stripes (a power of two); tests use one stripe. */
    Devices(int capacity, int stripes) {
        if (stripes < 1 || Integer.bitCount(stripes) != 1 || capacity < stripes) {
            throw new IllegalArgumentException("capacity " + capacity + ", stripes " + stripes);
        }
        this.stripes = new Stripe[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new Stripe();
        }
        this.perStripe = capacity / stripes;
    }

    /** The device a record is about: its origin's address, else its client's; null when neither has one. */
    static InetAddress deviceOf(AuditRecord r) {
        InetSocketAddress a = r.originAddress() != null ? r.originAddress() : r.clientAddress();
        return a == null || a.getAddress() == null ? null : IpLiteral.unmapped(a.getAddress());
    }

    /** Counts one finished connection (or the refusals a counting record stands for); runs on loop threads. */
    void record(AuditRecord r, long now) {
        InetAddress who = deviceOf(r);
        if (who == null) {
            return;
        }
        String name = r.sni() != null ? r.sni() : r.host();
        boolean allow = r.decision() == Verdict.ALLOW;
        int n = Math.max(1, r.count());
        boolean changed;
        Stripe s = stripe(who);
        synchronized (s) {
            Device d = s.devices.get(who);
            if (d == null) {
                if (s.devices.size() >= perStripe) {
                    evictOne(s);
                }
                d = new Device(who, Math.min(now, r.startMillis()));
                s.devices.put(who, d);
            }
            changed = d.record(now, n, allow, r.wouldDeny() != null, name, r.ja4());
        }
        if (changed) {
            fingerprintChanges.increment();
        }
    }

    private void evictOne(Stripe s) {
        Iterator<Device> it = s.devices.values().iterator();
        Device victim = null;
        for (int i = 0; i < EVICTION_WINDOW && it.hasNext(); i++) {
            Device d = it.next();
            if (victim == null || d.connections() < victim.connections()) {
                victim = d;
            }
        }
        if (victim != null) {
            s.devices.remove(victim.address);
            evicted.increment();
        }
    }

    private Stripe stripe(InetAddress a) {
        int h = a.hashCode();
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return stripes[h & (stripes.length - 1)];
    }

    /** Devices in the table now. */
    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.devices.size();
            }
        }
        return n;
    }

    /** Fingerprint changes counted since start, evicted devices' included. */
    long fingerprintChanges() {
        return fingerprintChanges.sum();
    }

    /** Devices evicted to make room since start. */
    long evicted() {
        return evicted.sum();
    }

    /** Every device, most recently seen first (ties by address). */
    List<Device.View> all() {
        List<Device.View> out = new ArrayList<>();
        for (Stripe s : stripes) {
            synchronized (s) {
                for (Device d : s.devices.values()) {
                    out.add(d.view());
                }
            }
        }
        out.sort(Comparator.comparingLong(Device.View::lastSeenMillis).reversed().thenComparing(Device.View::address));
        return out;
    }

    /**
     * The {@code n} devices an operator should see first: those whose fingerprint changed,
     * then the rest, each most recently seen first. Copies only the devices it returns.
     */
    List<Device.View> top(int n) {
        Comparator<Device> order = Comparator.comparing((Device d) -> d.fingerprintChanges() > 0).reversed()
                .thenComparing(Comparator.comparingLong(Device::lastSeen).reversed());
        List<Device.View> out = new ArrayList<>();
        for (Stripe s : stripes) {
            List<Device> best = new ArrayList<>();
            synchronized (s) {
                for (Device d : s.devices.values()) {
                    best.add(d);
                }
                best.sort(order);
                for (Device d : best.subList(0, Math.min(n, best.size()))) {
                    out.add(d.view());
                }
            }
        }
        out.sort(Comparator.comparing((Device.View v) -> v.fingerprintChanges() > 0).reversed()
                .thenComparing(Comparator.comparingLong(Device.View::lastSeenMillis).reversed())
                .thenComparing(Device.View::address));
        return out.size() > n ? List.copyOf(out.subList(0, n)) : out;
    }
}
