package lnm.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** The values of {@code dns.answer} and {@code dns.upstream}: parsed and printed for {@link Key}. */
final class DnsValues {
    private DnsValues() {}

    static DnsAnswer dnsAnswers(String v) {
        List<InetAddress> out = new java.util.ArrayList<>();
        List<String> nics = new java.util.ArrayList<>();
        for (String e : dnsEntries(v, Key.DNS_MAX_ANSWERS)) {
            String a = e.startsWith("[") && e.endsWith("]") ? e.substring(1, e.length() - 1) : e;
            byte[] b = IpLiteral.parse(a);
            if (b == null && !e.startsWith("[") && InterfaceName.valid(e)) {
                if (nics.contains(e)) {
                    throw new IllegalArgumentException("'" + e + "' is listed twice");
                }
                nics.add(e);
                continue;
            }
            if (b == null) {
                String why = e.startsWith("[") ? null : InterfaceName.whyNot(e);
                throw new IllegalArgumentException("'" + e + "' is not an IP address" + (why == null ? "" : " nor an interface name (" + why + ")"));
            }
            InetAddress ia = IpLiteral.toInet(b);
            if (ia.isAnyLocalAddress() || ia.isMulticastAddress()) {
                throw new IllegalArgumentException("'" + e + "' cannot be given to clients as an address");
            }
            if (out.contains(ia)) {
                throw new IllegalArgumentException("'" + e + "' is listed twice");
            }
            out.add(ia);
        }
        return new DnsAnswer(out, nics);
    }

    static String formatDnsAnswers(DnsAnswer d) {
        List<String> all = new java.util.ArrayList<>(d.interfaces());
        d.addresses().forEach(a -> all.add(IpLiteral.format(a)));
        return String.join(", ", all);
    }

    static List<InetSocketAddress> dnsUpstreams(String v) {
        List<InetSocketAddress> out = new java.util.ArrayList<>();
        for (String e : dnsEntries(v, Key.DNS_MAX_UPSTREAMS)) {
            HostPort hp = HostPort.parse(e, 53);
            byte[] b = IpLiteral.parse(hp.host());
            if (b == null) {
                throw new IllegalArgumentException("'" + e + "' is not an IP address (a DNS server is named by its address)");
            }
            InetSocketAddress sa = new InetSocketAddress(IpLiteral.toInet(b), hp.port());
            if (sa.getAddress().isAnyLocalAddress() || sa.getAddress().isMulticastAddress()) {
                throw new IllegalArgumentException("'" + e + "' is not a unicast address");
            }
            if (out.contains(sa)) {
                throw new IllegalArgumentException("'" + e + "' is listed twice");
            }
            out.add(sa);
        }
        return List.copyOf(out);
    }

    static String formatDnsUpstreams(List<InetSocketAddress> l) {
        return String.join(", ", l.stream().map(Values::formatBind).toList());
    }

    /** Comma-separated entries of a list value; empty value, empty list. */
    private static List<String> dnsEntries(String v, int max) {
        if (v.isEmpty()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (String raw : v.split(",", -1)) {
            String e = raw.trim();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("empty entry");
            }
            if (e.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("'" + e + "': separate entries with commas");
            }
            out.add(e);
        }
        if (out.size() > max) {
            throw new IllegalArgumentException(out.size() + " entries, at most " + max + " allowed");
        }
        return out;
    }
}
