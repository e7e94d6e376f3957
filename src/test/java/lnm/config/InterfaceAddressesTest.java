package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The IPv6 addresses read from {@code ip -o -6 addr show up} when /proc/net/if_inet6 is hidden. */
class InterfaceAddressesTest {
    @Test
    void readsTheInterfaceAndTheAddressOfEachLine() throws Exception {
        String out = String.join("\n",
                "1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever",
                "1: lo    inet6 fd6e:6d::1/128 scope global \\       valid_lft forever preferred_lft forever",
                "3: eth0@if7    inet6 fe80::a8c1:abff:fe00:1/64 scope link \\       valid_lft forever preferred_lft forever",
                "garbage line",
                "4: eth1    inet6 not-an-address/64 scope global",
                "");
        Map<String, List<InetAddress>> m = InterfaceAddresses.parse(out);
        assertEquals(List.of(InetAddress.getByName("::1"), InetAddress.getByName("fd6e:6d::1")), m.get("lo"));
        assertEquals(List.of(InetAddress.getByName("fe80::a8c1:abff:fe00:1")), m.get("eth0"), "the peer after @ is not part of the name");
        assertEquals(2, m.size(), "nothing from lines that are not inet6 addresses");
    }
}
