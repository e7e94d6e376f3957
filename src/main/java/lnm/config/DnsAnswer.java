package lnm.config;

import java.net.InetAddress;
import java.util.List;

/**
 * The value of {@code dns.answer}: fixed addresses, and interfaces whose current addresses are
 * given too ({@code dns.answer = eth1, 10.4.0.10}). Both empty: the box's address on the
 * interface a query arrived on.
 *
 * @param addresses the IP literals, in the order written
 * @param interfaces the interface names, in the order written
 */
public record DnsAnswer(List<InetAddress> addresses, List<String> interfaces) {
    public static final DnsAnswer NONE = new DnsAnswer(List.of(), List.of());

    public DnsAnswer {
        addresses = List.copyOf(addresses);
        interfaces = List.copyOf(interfaces);
    }

    /** Whether anything is set (then the arrival interface's addresses are not used). */
    public boolean fixed() {
        return !addresses.isEmpty() || !interfaces.isEmpty();
    }
}
