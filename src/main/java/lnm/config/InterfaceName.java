package lnm.config;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A network interface named where an address could stand: {@code listen.https = eth1:443},
 * {@code dns.listen = eth1:53}, {@code dns.answer = eth1}. The box then uses that interface's
 * addresses, whatever they are now and whatever they become (DHCP, a re-addressed plant NIC).
 *
 * <p>The syntax is Linux's: at most 15 characters (IFNAMSIZ less its terminating zero), letters,
 * digits, {@code _ . -}; never all digits and never {@code .} or {@code ..}. Such a name cannot
 * be mistaken for an IP literal: an IPv4 literal is digits and dots only and is tried first, an
 * IPv6 literal has colons, which no interface name has. {@code localhost} keeps its meaning.
 * A dot is allowed only before a VLAN number ({@code eth0.100}): {@code gateway.local} is a host
 * name, which lnm never binds (it would need DNS), and is refused as such.
 *
 * <p>A bind by interface travels as an unresolved {@link InetSocketAddress} whose host string is
 * the interface name: {@code createUnresolved} never asks DNS (it is the one way to carry a
 * name in that type without a lookup), {@link #of} tells it from an address, and nothing turns
 * its host string back into a lookup: the owners bind the interface's addresses instead.
 */
public final class InterfaceName {
    /** Linux IFNAMSIZ is 16, with the terminating zero. */
    public static final int MAX_LENGTH = 15;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_LENGTH + "}");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    /** A dot only before digits: {@code eth0.100}, {@code bond0.7.12}. */
    private static final Pattern DOTS = Pattern.compile("[^.]+(\\.[0-9]+)*");

    private InterfaceName() {}

    /** Whether {@code s} is a valid interface name that is not an IP literal nor {@code localhost}. */
    public static boolean valid(String s) {
        return s != null && NAME.matcher(s).matches() && DOTS.matcher(s).matches() && !DIGITS_AND_DOTS.matcher(s).matches()
                && !s.equalsIgnoreCase("localhost") && IpLiteral.parse(s) == null;
    }

    /** Why {@code s} is not an interface name, for an error message; null when it is one or plainly not meant as one. */
    static String whyNot(String s) {
        if (s.contains(".") && !DOTS.matcher(s).matches() || DIGITS_AND_DOTS.matcher(s).matches()) {
            return null; // a host name or a broken IPv4 literal: "not an IP address" says it
        }
        if (s.length() > MAX_LENGTH) {
            return "an interface name has at most " + MAX_LENGTH + " characters";
        }
        if (!NAME.matcher(s).matches()) {
            return "an interface name has only letters, digits, '_', '.' and '-'";
        }
        return valid(s) ? null : "not an interface name";
    }

    /** A bind to every address of interface {@code name} on {@code port}. */
    public static InetSocketAddress bind(String name, int port) {
        if (!valid(name)) {
            throw new IllegalArgumentException("'" + name + "' is not an interface name");
        }
        return InetSocketAddress.createUnresolved(name, port);
    }

    /** The interface a bind names, or empty when it is an address. */
    public static Optional<String> of(InetSocketAddress bind) {
        return bind.isUnresolved() ? Optional.of(bind.getHostString()) : Optional.empty();
    }
}
