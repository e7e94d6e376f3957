package lnm.proxy;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One type-length-value entry from the tail of a PROXY protocol v2 header.
 *
 * <p>The parser keeps every TLV it reads, in wire order, as opaque bytes; only
 * {@link #CRC32C} is interpreted (and verified) by {@link ProxyV2#parse}. The value is copied
 * on the way in and out, so a {@code Tlv} is immutable and compares by content.
 *
 * @param type  the type byte, 0-255
 * @param value the value bytes, at most 65535 of them
 */
public record Tlv(int type, byte[] value) {

    /** Application-Layer Protocol Negotiation: the upper protocol, e.g. the TLS ALPN choice. */
    public static final int ALPN = 0x01;
    /** The host name the client asked for (for TLS, the SNI), UTF-8. */
    public static final int AUTHORITY = 0x02;
    /** CRC32C of the whole header with this field zeroed, 4 bytes, network byte order. */
    public static final int CRC32C = 0x03;
    /** Padding; carries nothing. */
    public static final int NOOP = 0x04;
    /** An opaque connection identifier chosen by the sender. */
    public static final int UNIQUE_ID = 0x05;
    /** TLS details of the client connection, itself a nested TLV list (kept opaque here). */
    public static final int SSL = 0x20;
    /** Name of the network namespace the connection was accepted in. */
    public static final int NETNS = 0x30;

    public Tlv {
        if (type < 0 || type > 0xff) {
            throw new IllegalArgumentException("TLV type " + type + " is not a byte");
        }
        if (value.length > 0xffff) {
            throw new IllegalArgumentException("TLV value of " + value.length + " bytes exceeds 65535");
        }
        value = value.clone();
    }

    /** A copy of the value bytes. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlv t && t.type == type && Arrays.equals(t.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("Tlv[type=0x%02x, value=%s]", type, HexFormat.of().formatHex(value));
    }
}
