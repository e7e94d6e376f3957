package lnm.net;

import java.net.InetSocketAddress;

import lnm.config.Config;
import lnm.config.Via;
import lnm.proxy.ProxyV2;

/**
 * The bytes a box puts in front of what it forwards to its parent: a PROXY v2 header naming the
 * original client when {@code parent.proxyProtocol = v2}, nothing otherwise. The one place this
 * is decided, so that the relay and {@code lnm probe} send a parent the same thing.
 */
public final class ParentHeader {
    private static final byte[] NONE = {};

    private ParentHeader() {}

    /**
     * The header for a connection going {@code via} to its upstream.
     *
     * @param origin the original client (a PROXY origin read below, else the peer)
     * @param local the address on this box the client reached
     * @return the PROXY v2 header, or an empty array when {@code via} is not a parent or the
     *     config sends none
     * @throws IllegalArgumentException if a header is due and an address is unresolved
     */
    public static byte[] of(Config cfg, Via via, InetSocketAddress origin, InetSocketAddress local) {
        if (via != Via.PARENT || !cfg.parentProxyProtocol()) {
            return NONE;
        }
        return ProxyV2.encode(origin, local);
    }
}
