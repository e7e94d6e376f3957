package lnm.suggest;

import java.time.Instant;
import java.util.Arrays;

/**
 * What the audit says about one name (or the names a wildcard covers): connections, the first
 * and last time, and who asked. Who asked is bounded: the {@code tracked} smallest distinct
 * addresses (smallest, so the result does not depend on the order the files are read in) and
 * whether there were more.
 */
final class Seen {
    private static final String[] NONE = {};

    private long connections;
    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;
    private String[] who = NONE;
    private boolean moreWho;

    /** Counts {@code count} connections from {@code from} at {@code millis}, keeping at most {@code tracked} addresses. */
    void add(String from, long millis, long count, int tracked) {
        connections = connections > Long.MAX_VALUE - count ? Long.MAX_VALUE : connections + count;
        first = Math.min(first, millis);
        last = Math.max(last, millis);
        addWho(from, tracked);
    }

    private void addWho(String from, int tracked) {
        int at = Arrays.binarySearch(who, from);
        if (at >= 0) {
            return;
        }
        at = -at - 1;
        if (who.length == tracked) {
            moreWho = true;
            if (at == tracked) {
                return; // larger than every kept one
            }
            System.arraycopy(who, at, who, at + 1, tracked - at - 1);
        } else {
            String[] grown = Arrays.copyOf(who, who.length + 1);
            System.arraycopy(who, at, grown, at + 1, who.length - at);
            who = grown;
        }
        who[at] = from;
    }

    /** Adds everything {@code other} counted. */
    void merge(Seen other, int tracked) {
        connections = connections > Long.MAX_VALUE - other.connections ? Long.MAX_VALUE : connections + other.connections;
        first = Math.min(first, other.first);
        last = Math.max(last, other.last);
        moreWho |= other.moreWho;
        for (String w : other.who) {
            addWho(w, tracked);
        }
    }

    long connections() {
        return connections;
    }

    /**
     * {@code 12 connections from 10.3.0.5, 10.3.0.7 and 3 more; first ..., last ...}: at most
     * {@code listed} addresses by name; "and at least N more" when more were seen than tracked.
     */
    String describe(int listed) {
        StringBuilder b = new StringBuilder().append(connections).append(connections == 1 ? " connection" : " connections");
        b.append(" from ");
        int shown = Math.min(listed, who.length);
        b.append(String.join(", ", Arrays.asList(who).subList(0, shown)));
        int rest = who.length - shown;
        if (moreWho) {
            b.append(" and at least ").append(rest + 1).append(" more");
        } else if (rest > 0) {
            b.append(" and ").append(rest).append(" more");
        }
        b.append("; first ").append(Instant.ofEpochMilli(first)).append(", last ").append(Instant.ofEpochMilli(last));
        return b.toString();
    }
}
