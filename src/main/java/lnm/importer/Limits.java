package lnm.importer;

/**
 * Bounds on what one resource file may make the importer hold, so that a hostile or broken
 * file ends in an error that names its line, never in a StackOverflowError or an
 * OutOfMemoryError. One instance counts for one document; the YAML, flow and JSON readers share
 * it, so a flow collection inside a YAML block counts its nesting on top of the block's.
 */
final class Limits {
    /**
     * Bytes of the file. etcd refuses requests above 1.5 MiB by default, so no resource that
     * Kubernetes stores comes near this.
     */
    static final int MAX_BYTES = 2 << 20;
    /** Nested maps and lists; an Lnm resource needs five. */
    static final int MAX_DEPTH = 64;
    /** Map entries and list items of the whole document. */
    static final int MAX_ENTRIES = 100_000;
    /**
     * Characters of one scalar (Kubernetes caps all annotations of an object together at
     * 256 KiB, and kubectl's last-applied-configuration annotation is the largest scalar a
     * resource carries).
     */
    static final int MAX_SCALAR = 256 << 10;

    private int depth;
    private int entries;

    /** Before reading a nested map or list that starts on {@code line}. */
    void enter(int line) throws ParseException {
        if (++depth > MAX_DEPTH) {
            throw new ParseException(line, "nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** After reading a nested map or list. */
    void leave() {
        depth--;
    }

    /** Before keeping one more map entry or list item, on {@code line}. */
    void entry(int line) throws ParseException {
        if (++entries > MAX_ENTRIES) {
            throw new ParseException(line, "more than " + MAX_ENTRIES + " map entries and list items");
        }
    }

    /** A scalar as read, refused when longer than {@link #MAX_SCALAR}. */
    static String scalar(CharSequence s, int line) throws ParseException {
        if (s.length() > MAX_SCALAR) {
            throw new ParseException(line, "a value of " + s.length() + " characters (at most " + MAX_SCALAR + ")");
        }
        return s.toString();
    }
}
