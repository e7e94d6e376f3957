package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The dns.* keys of the built-in DNS server defaults, values, errors with FILE:LINE, clashes. */
class DnsConfigTest {
    private static final String F = "/etc/lnm/lnm.properties:";
    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void defaults() {
        Config c = fs.ok("", "listen.https = 443");
        assertEquals(Optional.empty(), c.dnsListen());
        assertEquals(List.of(), c.dnsAnswer());
        assertEquals(60, c.dnsTtl());
        assertEquals(List.of(), c.dnsUpstream());
        assertTrue(c.dnsSources().isAny());
        assertFalse(c.dnsAudit());
        assertEquals(50, c.dnsRateLimit());
        assertEquals(2000, c.dnsUpstreamTimeoutMillis());
    }

    @Test
    void everyValue() {
        Config c = fs.ok("",
                "listen.https = 443",
                "dns.listen = 53",
                "dns.answer = 10.4.0.10, [FD00::10] ,10.4.0.11",
                "dns.ttl = 0",
                "dns.upstream = 10.3.0.53, [fd00::53]:5353, 10.3.0.54:5300, fd00::54",
                "dns.sources = 10.2.0.0/16",
                "dns.audit = true",
                "dns.rateLimit = 0",
                "dns.upstreamTimeoutSeconds = 0.5",
                "dns.forwardZones = Plant.Local., corp.example");
        assertEquals(Optional.of(ConfigTest.sock("0.0.0.0", 53)), c.dnsListen());
        assertEquals(List.of(ip("10.4.0.10"), ip("fd00::10"), ip("10.4.0.11")), c.dnsAnswer());
        assertEquals(0, c.dnsTtl());
        assertEquals(List.of(ConfigTest.sock("10.3.0.53", 53), ConfigTest.sock("fd00::53", 5353),
                ConfigTest.sock("10.3.0.54", 5300), ConfigTest.sock("fd00::54", 53)), c.dnsUpstream());
        assertEquals("10.2.0.0/16", c.dnsSources().toString());
        assertTrue(c.dnsAudit());
        assertEquals(0, c.dnsRateLimit());
        assertEquals(500, c.dnsUpstreamTimeoutMillis());
        List<String> printed = c.effectiveSettings();
        assertTrue(printed.contains("dns.listen = 0.0.0.0:53"), printed.toString());
        assertTrue(printed.contains("dns.answer = 10.4.0.10, fd00::10, 10.4.0.11"), printed.toString());
        assertTrue(printed.contains("dns.upstream = 10.3.0.53:53, [fd00::53]:5353, 10.3.0.54:5300, [fd00::54]:53"), printed.toString());
        assertTrue(printed.contains("dns.upstreamTimeoutSeconds = 0.5"), printed.toString());
        assertEquals(List.of("plant.local", "corp.example"), c.dnsForwardZones().zones());
        assertTrue(printed.contains("dns.forwardZones = plant.local, corp.example"), printed.toString());
    }

    @Test
    void forwardZonesCoverTheZoneAndEveryNameBelowIt() {
        ForwardZones z = ForwardZones.parse("plant.local, corp.example");
        for (String in : new String[] {"plant.local", "historian.plant.local", "A.B.PLANT.LOCAL.", "corp.example"}) {
            assertTrue(z.covers(in), in);
        }
        for (String out : new String[] {"otherplant.local", "local", "plant.local.evil.example", "corp.example.com",
                "x.example", "", "."}) {
            assertFalse(z.covers(out), out);
        }
        assertTrue(ForwardZones.NONE.isEmpty());
        assertFalse(ForwardZones.NONE.covers("plant.local"));
    }

    @Test
    void upstreamAndForwardZonesGoTogether() {
        String warning = "warning: dns.upstream is set but dns.forwardZones lists no zone, so no name is forwarded (names "
                + "off the allowlist get REFUSED); list the zones the upstream serves, such as 'dns.forwardZones = plant.local', "
                + "or remove dns.upstream";
        LoadResult noZones = fs.load("", "listen.https = 127.0.0.1:443", "dns.upstream = 10.3.0.53");
        assertTrue(noZones.ok(), "an upstream without zones still loads (configs written before zones existed)");
        assertEquals(List.of(F + "2: " + warning), noZones.warnings().stream().map(Problem::toString).toList());
        LoadResult emptyZones = fs.load("", "listen.https = 127.0.0.1:443", "dns.upstream = 10.3.0.53", "dns.forwardZones =");
        assertEquals(List.of(F + "3: " + warning), emptyZones.warnings().stream().map(Problem::toString).toList());
        assertEquals(List.of(F + "2: dns.forwardZones is set but dns.upstream is not: there is no server to forward to"),
                ConfFs.messages(fs.load("", "listen.https = 443", "dns.forwardZones = plant.local")));
        Config ok = fs.ok("", "listen.https = 443", "dns.upstream = 10.3.0.53", "dns.forwardZones = plant.local");
        assertTrue(ok.dnsForwardZones().covers("historian.plant.local"));
        assertTrue(fs.ok("", "listen.https = 443").dnsForwardZones().isEmpty(), "no zones by default");
    }

    @Test
    void dnsSourcesFollowsSourcesUnlessSet() {
        Config c = fs.ok("", "listen.https = 443", "sources = 10.3.0.0/16, 10.2.0.0/16");
        assertEquals("10.3.0.0/16, 10.2.0.0/16", c.dnsSources().toString());
        assertTrue(c.effectiveSettings().contains("dns.sources = sources (default)"));
        Config same = fs.ok("", "listen.https = 443", "sources = 10.3.0.0/16", "dns.sources = sources");
        assertEquals("10.3.0.0/16", same.dnsSources().toString());
        Config own = fs.ok("", "listen.https = 443", "sources = 10.3.0.0/16", "dns.sources = none");
        assertTrue(own.dnsSources().isEmpty());
    }

    @Test
    void listenOnAnAddressOrIpv6Wildcard() {
        assertEquals(Optional.of(ConfigTest.sock("10.3.0.5", 53)), fs.ok("", "listen.https = 443", "dns.listen = 10.3.0.5:53").dnsListen());
        assertEquals(Optional.of(ConfigTest.sock("::", 5353)), fs.ok("", "listen.https = 443", "dns.listen = [::]:5353").dnsListen());
        assertEquals(Optional.empty(), fs.ok("", "listen.https = 443", "dns.listen = OFF").dnsListen());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "dns.listen = dns.local:53     | bad value 'dns.local:53' for 'dns.listen': 'dns.local' is not an IP address; expected [address:]port",
        "dns.listen = 70000            | bad value '70000' for 'dns.listen': port 70000 is out of range 1-65535",
        "dns.answer = 10.4.0.10, proxy.plant | bad value '10.4.0.10, proxy.plant' for 'dns.answer': 'proxy.plant' is not an IP address; expected comma-separated IP",
        "dns.answer = 0.0.0.0          | bad value '0.0.0.0' for 'dns.answer': '0.0.0.0' cannot be given to clients as an address",
        "dns.answer = 10.4.0.1, 10.4.0.1 | bad value '10.4.0.1, 10.4.0.1' for 'dns.answer': '10.4.0.1' is listed twice",
        "dns.answer = 10.4.0.1,,10.4.0.2 | bad value '10.4.0.1,,10.4.0.2' for 'dns.answer': empty entry",
        "dns.answer = 10.4.0.1 10.4.0.2 | bad value '10.4.0.1 10.4.0.2' for 'dns.answer': '10.4.0.1 10.4.0.2': separate entries with commas",
        "dns.ttl = 86401               | bad value '86401' for 'dns.ttl': out of range; expected an integer from 0 to 86400",
        "dns.upstream = dns.plant.local | bad value 'dns.plant.local' for 'dns.upstream': 'dns.plant.local' is not an IP address (a DNS server is named by its address)",
        "dns.upstream = 10.3.0.53:0    | bad value '10.3.0.53:0' for 'dns.upstream': port 0 is out of range 1-65535",
        "dns.upstream = 224.0.0.251    | bad value '224.0.0.251' for 'dns.upstream': '224.0.0.251' is not a unicast address",
        "dns.sources = 10.3.0.1/16     | bad value '10.3.0.1/16' for 'dns.sources': bad CIDR '10.3.0.1/16': host bits are set; did you mean 10.3.0.0/16?",
        "dns.audit = yes               | bad value 'yes' for 'dns.audit': not true or false",
        "dns.rateLimit = -1            | bad value '-1' for 'dns.rateLimit': not a whole number",
        "dns.upstreamTimeoutSeconds = 0.05 | bad value '0.05' for 'dns.upstreamTimeoutSeconds': out of range",
        "dns.forwardZones = *.plant.local | bad value '*.plant.local' for 'dns.forwardZones': '*.plant.local': a zone covers every name below it already; write 'plant.local'",
        "dns.forwardZones = .           | bad value '.' for 'dns.forwardZones': '.' (the root) would forward every name; list the plant zones instead",
        "dns.forwardZones = plant.local,,corp.example | bad value 'plant.local,,corp.example' for 'dns.forwardZones': empty entry",
        "dns.forwardZones = 10.3.0.53  | bad value '10.3.0.53' for 'dns.forwardZones': '10.3.0.53' is an IP address, not a zone",
        "dns.forwardZones = plant..local | bad value 'plant..local' for 'dns.forwardZones': 'plant..local' is not a valid zone name",
    })
    void badValuesNameFileLineAndKey(String line, String expected) {
        LoadResult r = fs.load("", "listen.https = 443", "# dns", line);
        assertFalse(r.ok());
        List<String> p = ConfFs.messages(r);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(F + "3: " + expected), p.get(0) + "\n  should start with\n" + F + "3: " + expected);
    }

    @Test
    void tooManyEntries() {
        StringBuilder sb = new StringBuilder("dns.answer = ");
        for (int i = 1; i <= 65; i++) {
            sb.append(i > 1 ? ", " : "").append("10.9.0.").append(i);
        }
        List<String> p = ConfFs.messages(fs.load("", "listen.https = 443", sb.toString()));
        assertTrue(p.get(0).contains("65 entries, at most 64 allowed"), p.toString());
        List<String> u = ConfFs.messages(fs.load("", "listen.https = 443",
                "dns.upstream = 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9"));
        assertTrue(u.get(0).contains("9 entries, at most 8 allowed"), u.toString());
    }

    @Test
    void dnsPortClashesWithAListenerOrTheAdminServer() {
        assertEquals(List.of(F + "3: dns.listen 0.0.0.0:8443 clashes with listener 'https' (0.0.0.0:8443, line 1); "
                        + "DNS uses that port for TCP too"),
                ConfFs.messages(fs.load("", "listen.https = 8443", "admin.listen = off", "dns.listen = 8443")));
        assertEquals(List.of(F + "2: dns.listen 127.0.0.1:9090 clashes with admin.listen 127.0.0.1:9090; DNS uses that port for TCP too"),
                ConfFs.messages(fs.load("", "listen.https = 443", "dns.listen = 127.0.0.1:9090")));
        // Different addresses of one family on one port do not clash; port 53 next to 443 is the normal case.
        fs.ok("", "listen.https = 10.3.0.5:53", "dns.listen = 10.3.0.6:53");
        fs.ok("", "listen.https = 443", "dns.listen = 53");
    }

    @Test
    void misspelledKeysSuggestTheDnsKey() {
        assertEquals(List.of(F + "2: unknown key 'dns.listne'; did you mean 'dns.listen'?",
                        F + "3: unknown key 'dns.ratelimit'; did you mean 'dns.rateLimit'?"),
                ConfFs.messages(fs.load("", "listen.https = 443", "dns.listne = 53", "dns.ratelimit = 5")));
    }

    private static java.net.InetAddress ip(String s) {
        return IpLiteral.toInet(IpLiteral.parse(s));
    }
}
