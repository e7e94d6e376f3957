package lnm.tls;

import java.util.Arrays;

/**
 * The extension types seen so far in one hello: an open-addressing hash set of 16-bit values.
 *
 * <p>A real hello has 10-25 extensions, so the first table (32 slots, 128 bytes) is enough and
 * a parse allocates almost nothing; a hostile hello made of thousands of empty extensions
 * grows the table, staying linear instead of the quadratic cost of a list scan.
 */
final class ExtensionSet {
    private static final int EMPTY = -1;
    private int[] slots = newTable(32);
    private int size;

    /** Adds {@code type}; false if it was already there. */
    boolean add(int type) {
        if (2 * (size + 1) > slots.length) {
            grow();
        }
        if (!insert(slots, type)) {
            return false;
        }
        size++;
        return true;
    }

    private static boolean insert(int[] table, int type) {
        int mask = table.length - 1;
        int i = (type * 0x9E3779B1 >>> 16) & mask;
        while (table[i] != EMPTY) {
            if (table[i] == type) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = type;
        return true;
    }

    private void grow() {
        int[] bigger = newTable(slots.length * 2);
        for (int t : slots) {
            if (t != EMPTY) {
                insert(bigger, t);
            }
        }
        slots = bigger;
    }

    private static int[] newTable(int n) {
        int[] t = new int[n];
        Arrays.fill(t, EMPTY);
        return t;
    }
}
