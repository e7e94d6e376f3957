package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A listener, {@code dns.listen} and {@code dns.answer} naming a network interface instead of an address. */
class InterfaceNameTest {
    private static final String F = "/etc/lnm/lnm.properties:";
    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth1", "ens192", "eth0.100", "br-lan", "wg_0", "enp0s31f6", "a", "abcdefghijklmno", "bond0.7.12"})
    void validNames(String name) {
        assertTrue(InterfaceName.valid(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "123", "10.0.0.1", "1.2", "::1", "localhost", "LocalHost", "abcdefghijklmnop", "eth#1",
        "eth 1", "gateway.local", "a.b", ".", "..", "eth0.", "eth1/2", "eth1:1", "é"})
    void notNames(String name) {
        assertFalse(InterfaceName.valid(name), name);
    }

    @Test
    void listenerByInterface() {
        Config c = fs.ok("", "listen.https = eth1:443", "listen.vlan = eth0.100:8883", "listen.https.mode = tls");
        ListenerSpec https = c.listener("https").orElseThrow();
        assertEquals(Optional.of("eth1"), https.nic());
        assertEquals(443, https.port());
        assertEquals("eth1:443", https.bindText());
        assertEquals(Optional.of("eth0.100"), c.listener("vlan").orElseThrow().nic());
        assertTrue(c.effectiveSettings().contains("listen.https = eth1:443"), c.effectiveSettings().toString());
        assertEquals(Set.of("eth1", "eth0.100"), c.namedInterfaces());
        Config byAddress = fs.ok("", "listen.https = 10.3.0.5:443");
        assertEquals(Optional.empty(), byAddress.listener("https").orElseThrow().nic());
        assertEquals(Set.of(), byAddress.namedInterfaces());
    }

    @Test
    void dnsListenAndAnswerByInterface() {
        Config c = fs.ok("", "listen.https = 443", "dns.listen = eth1:53", "dns.answer = eth2, 10.4.0.10, eth1");
        assertEquals(Optional.of("eth1"), c.dnsListen().flatMap(InterfaceName::of));
        assertEquals(List.of("eth2", "eth1"), c.dnsAnswerInterfaces());
        assertEquals(List.of(ip("10.4.0.10")), c.dnsAnswer());
        assertEquals(Set.of("eth1", "eth2"), c.namedInterfaces());
        assertTrue(c.effectiveSettings().contains("dns.listen = eth1:53"), c.effectiveSettings().toString());
        assertTrue(c.effectiveSettings().contains("dns.answer = eth2, eth1, 10.4.0.10"), c.effectiveSettings().toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "listen.https = gateway.local:443 | bad value 'gateway.local:443' for 'listen.https': 'gateway.local' is not an IP address;",
        "listen.https = eth#1:443         | bad value 'eth#1:443' for 'listen.https': 'eth#1' is not an IP address nor an interface name (an interface name has only letters, digits, '_', '.' and '-')",
        "listen.https = abcdefghijklmnop:443 | bad value 'abcdefghijklmnop:443' for 'listen.https': 'abcdefghijklmnop' is not an IP address nor an interface name (an interface name has at most 15 characters)",
        "listen.https = eth1:0x1bb        | bad value 'eth1:0x1bb' for 'listen.https': ",
        "listen.https = eth1              | bad value 'eth1' for 'listen.https': ",
        "listen.https = [eth1]:443        | bad value '[eth1]:443' for 'listen.https': 'eth1' is not an IP address;",
        "dns.listen = dns.local:53        | bad value 'dns.local:53' for 'dns.listen': 'dns.local' is not an IP address;",
        "dns.answer = eth1, eth1          | bad value 'eth1, eth1' for 'dns.answer': 'eth1' is listed twice",
        "dns.answer = [eth1]              | bad value '[eth1]' for 'dns.answer': '[eth1]' is not an IP address;",
        "dns.answer = eth%1               | bad value 'eth%1' for 'dns.answer': 'eth%1' is not an IP address nor an interface name",
        "admin.listen = eth1:9090         | bad value 'eth1:9090' for 'admin.listen': 'eth1' is not an IP address;",
    })
    void badValues(String line, String expected) {
        LoadResult r = line.startsWith("listen.") ? fs.load("", line) : fs.load("", "listen.https = 443", line);
        assertFalse(r.ok());
        List<String> p = ConfFs.messages(r);
        String at = F + (line.startsWith("listen.") ? "1: " : "2: ");
        assertTrue(p.stream().anyMatch(m -> m.startsWith(at + expected)), p + "\n  should have one starting with\n" + at + expected);
    }

    @Test
    void clashesOnTheSameInterfaceOrWithAWildcard() {
        List<String> same = ConfFs.messages(fs.load("", "listen.a = eth1:443", "listen.b = eth1:443"));
        assertEquals(List.of(F + "2: listener 'b' binds eth1:443, which clashes with listener 'a' (eth1:443, line 1)"), same);
        List<String> wild = ConfFs.messages(fs.load("", "listen.a = 0.0.0.0:443", "listen.b = eth1:443"));
        assertEquals(List.of(F + "2: listener 'b' binds eth1:443, which clashes with listener 'a' (0.0.0.0:443, line 1)"), wild);
        List<String> dns = ConfFs.messages(fs.load("", "listen.a = eth1:53", "dns.listen = eth1:53"));
        assertEquals(1, dns.size(), dns.toString());
        assertTrue(dns.get(0).contains("dns.listen eth1:53 clashes with listener 'a'"), dns.toString());
        // other interfaces, other ports, or an address lnm cannot place without the box: no clash
        fs.ok("", "listen.a = eth1:443", "listen.b = eth2:443", "listen.c = eth1:8883", "listen.d = 10.3.0.5:443");
    }

    @Test
    void aMissingInterfaceIsAWarningNotAProblem() {
        LoadResult r = fs.load("", "listen.https = nicnothere0:443", "dns.listen = nicnothere1:53", "dns.answer = nicnothere2, 10.4.0.10");
        assertTrue(r.ok(), r.problems().toString());
        List<String> w = r.warnings().stream().map(Problem::toString).filter(s -> s.contains("interface '")).toList();
        assertEquals(3, w.size(), w.toString());
        assertTrue(w.get(0).startsWith(F + "1: warning: interface 'nicnothere0' (listener 'https') does not exist on this box; "
                + "lnm waits for it to appear"), w.get(0));
        assertTrue(w.get(1).startsWith(F + "2: warning: interface 'nicnothere1' (dns.listen) does not exist"), w.get(1));
        assertTrue(w.get(2).startsWith(F + "3: warning: interface 'nicnothere2' (dns.answer) does not exist"), w.get(2));
    }

    @Test
    void aPresentInterfaceIsNoWarning() {
        String lo = InterfaceAddresses.names().stream().filter(InterfaceName::valid).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(lo != null, "this box lists no interface");
        LoadResult r = fs.load("", "listen.https = " + lo + ":443");
        assertTrue(r.ok(), r.problems().toString());
        assertTrue(r.warnings().stream().noneMatch(p -> p.toString().contains("interface '")), r.warnings().toString());
    }

    @Test
    void theWarningIsPureOverTheNamesGiven() {
        Config c = fs.ok("", "listen.https = eth1:443", "listen.b = eth9:444");
        List<Problem> out = new java.util.ArrayList<>();
        Warnings.missingInterfaces(c, k -> 7, out, Set.of("eth1", "lo"));
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).message().contains("'eth9' (listener 'b')"), out.toString());
    }

    private static InetAddress ip(String s) {
        return IpLiteral.toInet(IpLiteral.parse(s));
    }
}
