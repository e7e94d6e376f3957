package lnm.proxy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * A parsed PROXY protocol v2 header: who the original client was and whom it asked for.
 *
 * <p>{@code source} and {@code destination} are null when the header carries no usable
 * address: a LOCAL command (a health check from the proxy itself; the receiver uses the real
 * connection endpoints), an AF_UNSPEC block, or an AF_UNIX block (accepted, but a path is
 * meaningless across boxes). IPv4-mapped IPv6 addresses come back as {@code Inet4Address}.
 *
 * @param local       true for the LOCAL command, false for PROXY
 * @param source      the original client, or null
 * @param destination the address the client connected to, or null
 * @param tlvs        every TLV in wire order (including CRC32C and NOOP), never null
 */
public record ProxyHeader(boolean local, InetSocketAddress source, InetSocketAddress destination, List<Tlv> tlvs) {

    public ProxyHeader {
        tlvs = List.copyOf(tlvs);
    }

    /** The first TLV of the given type, if any (e.g. {@link Tlv#AUTHORITY}). */
    public Optional<Tlv> tlv(int type) {
        for (Tlv t : tlvs) {
            if (t.type() == type) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
