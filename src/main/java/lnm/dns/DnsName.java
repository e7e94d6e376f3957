package lnm.dns;

import java.util.Arrays;

/**
 * A domain name as it travels: the uncompressed wire form (length-prefixed labels ending in a
 * zero byte, at most 255 bytes, the client's letter case kept) and its presentation text.
 *
 * <p>Equality is ASCII case-insensitive, as DNS compares names (RFC 4343). The text is what
 * {@code dig} prints, without the trailing dot: letters, digits, {@code -} and {@code _} as they
 * are, a dot inside a label as {@code \.}, a backslash as {@code \\}, and any other byte as
 * {@code \DDD}. Such escaped names never match an allowlist pattern, which only has host names.
 */
public final class DnsName {
    /** The root name: the single byte 0, text {@code "."}. */
    public static final DnsName ROOT = new DnsName(new byte[] {0});

    /** The longest wire form a name may have (RFC 1035 section 2.3.4). */
    public static final int MAX_WIRE = 255;
    public static final int MAX_LABEL = 63;

    private final byte[] wire;
    private final String text;

    /** Wraps a wire form that a parser has already checked; the array is not copied. */
    DnsName(byte[] wire) {
        this.wire = wire;
        this.text = presentation(wire);
    }

    /**
     * The name for dotted text such as {@code management.azure.com} (one trailing dot allowed).
     * Only for names lnm itself writes (tests, examples): no escapes are understood.
     *
     * @throws IllegalArgumentException for an empty label, a label over 63 bytes or a name over 255
     */
    public static DnsName of(String dotted) {
        String s = dotted.endsWith(".") ? dotted.substring(0, dotted.length() - 1) : dotted;
        if (s.isEmpty()) {
            return ROOT;
        }
        byte[] out = new byte[s.length() + 2];
        int n = 0;
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL) {
                throw new IllegalArgumentException("bad label in '" + dotted + "'");
            }
            out[n++] = (byte) label.length();
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (c > 0x7e || c < 0x21) {
                    throw new IllegalArgumentException("non-ASCII or blank in '" + dotted + "'");
                }
                out[n++] = (byte) c;
            }
        }
        out[n++] = 0;
        if (n > MAX_WIRE) {
            throw new IllegalArgumentException("name longer than 255 bytes: '" + dotted + "'");
        }
        return new DnsName(Arrays.copyOf(out, n));
    }

    /** A copy of the uncompressed wire form. */
    public byte[] wire() {
        return wire.clone();
    }

    /** The wire form itself, for writers in this package; never modify it. */
    byte[] wireUnsafe() {
        return wire;
    }

    public int wireLength() {
        return wire.length;
    }

    public boolean isRoot() {
        return wire.length == 1;
    }

    /** Presentation text without the trailing dot, the client's case kept; {@code "."} for the root. */
    public String text() {
        return text;
    }

    /** {@link #text()} in lowercase (ASCII only), as audit records show names. */
    public String lowerText() {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    private static String presentation(byte[] w) {
        if (w.length == 1) {
            return ".";
        }
        StringBuilder sb = new StringBuilder(w.length);
        int i = 0;
        while (i < w.length && w[i] != 0) {
            int len = w[i] & 0xff;
            if (sb.length() > 0) {
                sb.append('.');
            }
            for (int k = 1; k <= len && i + k < w.length; k++) {
                int b = w[i + k] & 0xff;
                if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_') {
                    sb.append((char) b);
                } else if (b == '.' || b == '\\') {
                    sb.append('\\').append((char) b);
                } else {
                    sb.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10)).append((char) ('0' + b % 10));
                }
            }
            i += len + 1;
        }
        return sb.toString();
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b & 0xff;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DnsName other) || other.wire.length != wire.length) {
            return false;
        }
        for (int i = 0; i < wire.length; i++) {
            if (lower(wire[i]) != lower(other.wire[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (byte b : wire) {
            h = 31 * h + lower(b);
        }
        return h;
    }

    @Override
    public String toString() {
        return text;
    }
}
