package lnm.admin;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import lnm.config.IpLiteral;

/**
 * What the appliance saw of one device: counts, the names it asked for and its TLS client
 * fingerprints, each list bounded. Not thread-safe: {@link Devices} calls it under the lock of
 * the stripe that holds it.
 *
 * <p>Names and fingerprints come from the device, so neither may grow memory: at most
 * {@link #MAX_NAMES} distinct names of at most {@link #MAX_NAME_CHARS} characters and
 * {@link #MAX_FINGERPRINTS} distinct fingerprints are kept; a new one arriving when the list is
 * full replaces the least recently seen (ties: the least counted), and {@link View#namesDropped}
 * says how many distinct names were let go that way. A known name or fingerprint is counted
 * without allocating.
 */
final class Device {
    static final int MAX_NAMES = 16;
    static final int MAX_NAME_CHARS = 100;
    static final int MAX_FINGERPRINTS = 4;
    /** A JA4 is 36 characters; anything longer is cut, as a name is. */
    static final int MAX_FINGERPRINT_CHARS = 64;

    /** A name or fingerprint with its count and when it was last seen. */
    record Seen(String value, long count, long lastSeenMillis) {}

    /** A copy of a device's state, safe to read on any thread. */
    record View(String address, long firstSeenMillis, long lastSeenMillis, long allowed, long denied, long wouldDeny,
            long fingerprintChanges, String lastFingerprint, List<Seen> fingerprints, List<Seen> names,
            long namesDropped) {}

    /** One entry of a bounded list; reused in place when it is replaced. */
    private static final class Slot {
        String value;
        long count;
        long seen;
    }

    final InetAddress address;
    private final long firstSeen;
    private long lastSeen;
    private long allowed;
    private long denied;
    private long wouldDeny;
    private long fingerprintChanges;
    private String lastFingerprint;
    private final Slot[] names = new Slot[MAX_NAMES];
    private int nameCount;
    private long namesDropped;
    private final Slot[] fingerprints = new Slot[MAX_FINGERPRINTS];
    private int fingerprintCount;

    Device(InetAddress address, long firstSeen) {
        this.address = address;
        this.firstSeen = firstSeen;
        this.lastSeen = firstSeen;
    }

    /**
     * Counts {@code n} connections.
     *
     * @param allow whether they were allowed (relayed in report mode included)
     * @param wouldDenyToo whether enforcement would have refused them (report mode)
     * @param name the server name or host asked for, or null
     * @param ja4 the hello's fingerprint, or null when there was none
     * @return whether {@code ja4} differs from this device's previous fingerprint
     */
    boolean record(long now, int n, boolean allow, boolean wouldDenyToo, String name, String ja4) {
        lastSeen = Math.max(lastSeen, now);
        if (allow) {
            allowed += n;
        } else {
            denied += n;
        }
        if (wouldDenyToo) {
            wouldDeny += n;
        }
        if (name != null && !name.isEmpty()) {
            if (count(names, nameCount, clean(name, MAX_NAME_CHARS), n, now)) {
                if (nameCount == MAX_NAMES) {
                    namesDropped++;
                } else {
                    nameCount++;
                }
            }
        }
        if (ja4 == null || ja4.isEmpty()) {
            return false;
        }
        String fp = clean(ja4, MAX_FINGERPRINT_CHARS);
        if (count(fingerprints, fingerprintCount, fp, n, now) && fingerprintCount < MAX_FINGERPRINTS) {
            fingerprintCount++;
        }
        boolean changed = lastFingerprint != null && !lastFingerprint.equals(fp);
        if (changed) {
            fingerprintChanges++;
        }
        lastFingerprint = fp;
        return changed;
    }

    /**
     * Adds {@code n} to {@code value}'s slot (already {@link #clean}ed) among the first {@code used}, or puts it into a free
     * slot, or into the least recently seen one when all are used.
     *
     * @return whether {@code value} was new to the list
     */
    private static boolean count(Slot[] slots, int used, String value, int n, long now) {
        int max = slots.length;
        for (int i = 0; i < used; i++) {
            if (slots[i].value.equals(value)) {
                slots[i].count += n;
                slots[i].seen = Math.max(slots[i].seen, now);
                return false;
            }
        }
        Slot s;
        if (used < max) {
            s = slots[used] = new Slot();
        } else {
            s = slots[0];
            for (int i = 1; i < used; i++) {
                Slot o = slots[i];
                if (o.seen < s.seen || o.seen == s.seen && o.count < s.count) {
                    s = o;
                }
            }
        }
        s.value = value;
        s.count = n;
        s.seen = now;
        return true;
    }

    /**
     * {@code s} lower-cased, cut to {@code maxChars} (the cut marked with {@code ...}, which no name has), with
     * control characters replaced: what a device sent is kept only in this form. Allocates only
     * when it changes something.
     */
    static String clean(String s, int maxChars) {
        boolean plain = s.length() <= maxChars;
        for (int i = 0; plain && i < s.length(); i++) {
            char c = s.charAt(i);
            plain = c >= 0x20 && c != 0x7f && !(c >= 'A' && c <= 'Z');
        }
        if (plain) {
            return s;
        }
        String lower = s.toLowerCase(Locale.ROOT);
        boolean cut = lower.length() > maxChars;
        int keep = cut ? maxChars - 3 : lower.length();
        StringBuilder b = new StringBuilder(keep + 1);
        for (int i = 0; i < keep; i++) {
            char c = lower.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return cut ? b.append("...").toString() : b.toString();
    }

    long lastSeen() {
        return lastSeen;
    }

    long connections() {
        return allowed + denied;
    }

    long fingerprintChanges() {
        return fingerprintChanges;
    }

    View view() {
        return new View(IpLiteral.format(address), firstSeen, lastSeen, allowed, denied, wouldDeny, fingerprintChanges,
                lastFingerprint, seen(fingerprints, fingerprintCount), seen(names, nameCount), namesDropped);
    }

    /** The used slots, most counted first, ties by most recently seen, then by value. */
    private static List<Seen> seen(Slot[] slots, int used) {
        List<Seen> out = new ArrayList<>(used);
        for (int i = 0; i < used; i++) {
            out.add(new Seen(slots[i].value, slots[i].count, slots[i].seen));
        }
        out.sort(Comparator.comparingLong(Seen::count).reversed()
                .thenComparing(Comparator.comparingLong(Seen::lastSeenMillis).reversed()).thenComparing(Seen::value));
        return List.copyOf(out);
    }
}
