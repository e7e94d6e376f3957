package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyTest {
    private static final String ALLOWLIST = String.join("\n",
            "management.azure.com = direct",
            "*.azure.com = direct",
            "*.his.arc.azure.com = parent",
            "historian.plant.local = 10.3.0.20:443",
            "opc.plant.local = 10.3.0.21",
            "*.blob.core.windows.net =",
            "");

    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private static InetAddress ip(String s) {
        return CidrSetTest.ip(s);
    }

    private Config withParent(String parent) {
        return fs.ok(ALLOWLIST, "listen.https = 443", "listen.mqtts = 8883", "parent = " + parent, "sources = 10.3.0.0/16, fd00::/8");
    }

    private Config top() {
        return fs.ok(ALLOWLIST.replace("parent", "direct"), "listen.https = 443", "sources = 10.3.0.0/16");
    }

    private static void denied(Decision d, String reason) {
        assertFalse(d.allowed(), d.toString());
        assertEquals(PolicyReason.valueOf(reason.toUpperCase(Locale.ROOT)), d.reason());
        assertNull(d.via());
        assertNull(d.upstream());
        assertNull(d.rule());
        assertEquals("deny", d.decisionText());
    }

    private static void allowed(Decision d, String pattern, Via via, String upstream) {
        assertTrue(d.allowed(), d.toString());
        assertEquals(PolicyReason.ALLOWLIST, d.reason());
        assertEquals(pattern, d.rule().pattern());
        assertEquals(via, d.via());
        assertEquals(upstream, d.upstream().toString());
        assertEquals("allow", d.decisionText());
    }

    @Test
    void sourceIsCheckedFirst() {
        Config c = withParent("10.4.0.10");
        denied(Policy.decide(c, "management.azure.com", 443, ip("192.168.1.5")), "source_not_allowed");
        denied(Policy.decide(c, null, 443, ip("192.168.1.5")), "source_not_allowed");
        denied(Policy.decide(c, "evil.example.com", 443, ip("2001:db8::1")), "source_not_allowed");
        denied(Policy.decide(c, "management.azure.com", 443, null), "source_not_allowed");
    }

    @Test
    void mappedAndV6SourcesAreAllowed() throws IOException {
        Config c = withParent("10.4.0.10");
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[13] = 3;
        mapped[14] = 9;
        mapped[15] = 9;
        assertTrue(Policy.decide(c, "management.azure.com", 443, Inet6Address.getByAddress(null, mapped, -1)).allowed());
        assertTrue(Policy.decide(c, "management.azure.com", 443, ip("fd00::7")).allowed());
    }

    @Test
    void anySourceAllowsEvenUnknown() {
        Config c = fs.ok("a.example.com = direct\n", "listen.a = 443");
        assertTrue(Policy.decide(c, "a.example.com", 443, null).allowed());
        assertTrue(Policy.decide(c, "a.example.com", 443, ip("203.0.113.7")).allowed());
    }

    @Test
    void noSni() {
        Config c = withParent("10.4.0.10");
        denied(Policy.decide(c, null, 443, ip("10.3.0.7")), "no_sni");
        denied(Policy.decide(c, "", 443, ip("10.3.0.7")), "no_sni");
    }

    @Test
    void notAllowlisted() {
        Config c = withParent("10.4.0.10");
        for (String n : new String[] {"azure.com", "evilazure.com", "example.com", "management.azure.com.evil.net",
            "core.windows.net", "blob.core.windows.net", "a..azure.com", "*.azure.com", "10.3.0.20"}) {
            denied(Policy.decide(c, n, 443, ip("10.3.0.7")), "not_allowlisted");
        }
    }

    @Test
    void directUsesTheNormalizedNameAndListenerPort() {
        Config c = top();
        allowed(Policy.decide(c, "management.azure.com", 443, ip("10.3.0.7")), "management.azure.com", Via.DIRECT,
                "management.azure.com:443");
        allowed(Policy.decide(c, "MANAGEMENT.Azure.com.", 8883, ip("10.3.0.7")), "management.azure.com", Via.DIRECT,
                "management.azure.com:8883");
        allowed(Policy.decide(c, "a.b.Azure.com", 443, ip("10.3.0.7")), "*.azure.com", Via.DIRECT, "a.b.azure.com:443");
    }

    @Test
    void parentWithoutPortUsesListenerPort() {
        Config c = withParent("10.4.0.10");
        Decision d = Policy.decide(c, "eus.his.arc.azure.com", 8883, ip("10.3.0.7"));
        allowed(d, "*.his.arc.azure.com", Via.PARENT, "10.4.0.10:8883");
        assertEquals(3, d.rule().line());
        assertEquals(fs.dir.resolve("allowlist.properties"), d.rule().file());
    }

    @Test
    void parentWithPort() {
        Config c = withParent("lnm-l4.plant.local:9443");
        allowed(Policy.decide(c, "x.his.arc.azure.com", 443, ip("10.3.0.7")), "*.his.arc.azure.com", Via.PARENT,
                "lnm-l4.plant.local:9443");
    }

    @Test
    void mostSpecificRuleDecidesTheVia() {
        Config c = withParent("10.4.0.10");
        allowed(Policy.decide(c, "x.arc.azure.com", 443, ip("10.3.0.7")), "*.azure.com", Via.DIRECT, "x.arc.azure.com:443");
        allowed(Policy.decide(c, "x.his.arc.azure.com", 443, ip("10.3.0.7")), "*.his.arc.azure.com", Via.PARENT, "10.4.0.10:443");
        allowed(Policy.decide(c, "management.azure.com", 443, ip("10.3.0.7")), "management.azure.com", Via.DIRECT,
                "management.azure.com:443");
    }

    @Test
    void fixedTargets() {
        Config c = withParent("10.4.0.10");
        allowed(Policy.decide(c, "historian.plant.local", 8443, ip("10.3.0.7")), "historian.plant.local", Via.FIXED, "10.3.0.20:443");
        allowed(Policy.decide(c, "opc.plant.local", 4843, ip("10.3.0.7")), "opc.plant.local", Via.FIXED, "10.3.0.21:4843");
    }

    @Test
    void emptyDestinationIsParentIfConfiguredElseDirect() {
        allowed(Policy.decide(withParent("10.4.0.10:3128"), "acct.blob.core.windows.net", 443, ip("10.3.0.7")),
                "*.blob.core.windows.net", Via.PARENT, "10.4.0.10:3128");
        allowed(Policy.decide(top(), "acct.blob.core.windows.net", 443, ip("10.3.0.7")),
                "*.blob.core.windows.net", Via.DIRECT, "acct.blob.core.windows.net:443");
    }

    @Test
    void designExampleDecisions() {
        fs.write("allowlist.properties", ConfFs.DESIGN_ALLOWLIST);
        Config c = Config.load(fs.write("lnm.properties", ConfFs.DESIGN_LNM)).config();
        allowed(Policy.decide(c, "management.azure.com", 443, ip("10.2.0.9")), "management.azure.com", Via.DIRECT,
                "management.azure.com:443");
        allowed(Policy.decide(c, "gw.his.arc.azure.com", 8883, ip("10.3.1.1")), "*.his.arc.azure.com", Via.PARENT, "10.4.0.10:8883");
        allowed(Policy.decide(c, "historian.plant.local", 443, ip("10.3.1.1")), "historian.plant.local", Via.FIXED, "10.3.0.20:443");
        allowed(Policy.decide(c, "x.blob.core.windows.net", 443, ip("10.3.1.1")), "*.blob.core.windows.net", Via.PARENT,
                "10.4.0.10:443");
        denied(Policy.decide(c, "his.arc.azure.com", 443, ip("10.3.1.1")), "not_allowlisted");
        denied(Policy.decide(c, "management.azure.com", 443, ip("10.4.0.1")), "source_not_allowed");
    }

    @Test
    void auditSpellings() {
        assertEquals("direct", Via.DIRECT.toString());
        assertEquals("parent", Via.PARENT.toString());
        assertEquals("fixed", Via.FIXED.toString());
        assertEquals("tls", Mode.TLS.toString());
        assertEquals(Mode.TCP, Mode.parse(" TCP "));
    }
}
