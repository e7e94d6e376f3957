package lnm.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One {@code listen.<name>} block.
 *
 * @param name the name from the key, [a-z0-9_-]+
 * @param bind the address and port to bind (never resolved; built from an IP literal), or an interface
 *     name and port as an unresolved address ({@link InterfaceName#of})
 * @param mode tls (default), tcp or http
 * @param target for tcp listeners the fixed upstream, its port defaulting to the listener's; else null
 * @param acceptProxyProtocol peers allowed to send a PROXY v2 header; {@link CidrSet#none()} when none
 * @param policy whether names off the allowlist are refused or relayed as would-deny: its own
 *     {@code listen.<name>.policy}, else the box's {@code policy}
 */
public record ListenerSpec(String name, InetSocketAddress bind, Mode mode, HostPort target, CidrSet acceptProxyProtocol,
        Enforcement policy) {

    public ListenerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(acceptProxyProtocol, "acceptProxyProtocol");
        Objects.requireNonNull(policy, "policy");
        if (mode == Mode.TCP && target == null) {
            throw new IllegalArgumentException("tcp listener '" + name + "' needs a target");
        }
    }

    /** A listener that follows the default policy ({@link Enforcement#ENFORCE}). */
    public ListenerSpec(String name, InetSocketAddress bind, Mode mode, HostPort target, CidrSet acceptProxyProtocol) {
        this(name, bind, mode, target, acceptProxyProtocol, Enforcement.ENFORCE);
    }

    /** The interface whose addresses this listener binds, or empty when it binds one address. */
    public java.util.Optional<String> nic() {
        return InterfaceName.of(bind);
    }

    /** The bound port. */
    public int port() {
        return bind.getPort();
    }

    /** {@code address:port} without any lookup ({@code [v6]:port} for IPv6). */
    public String bindText() {
        return Values.formatBind(bind);
    }
}
