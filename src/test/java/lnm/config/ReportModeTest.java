package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Report mode: its keys, the decisions in both modes, the per-listener override and the warning. */
class ReportModeTest {
    private static final String ALLOWLIST = "management.azure.com = direct\nhistorian.plant.local = 10.3.0.20:443\n";

    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private static InetAddress ip(String s) {
        return CidrSetTest.ip(s);
    }

    @Test
    void enforceIsTheDefaultAndNamesOffTheListAreRefused() {
        Config c = fs.ok(ALLOWLIST, "listen.https = 443", "sources = 10.3.0.0/16");
        assertEquals(Enforcement.ENFORCE, c.policy());
        assertEquals(Enforcement.ENFORCE, c.listener("https").orElseThrow().policy());
        assertEquals(List.of(), c.reportListeners());
        Decision d = Policy.decide(c, c.listener("https").orElseThrow().policy(), "unlisted.example.com", 443, ip("10.3.0.7"));
        assertFalse(d.allowed());
        assertEquals(PolicyReason.NOT_ALLOWLISTED, d.reason());
        assertNull(d.wouldDeny());
    }

    @Test
    void reportRelaysAnUnlistedNameDirectAtTheTop() {
        Config c = fs.ok(ALLOWLIST, "listen.https = 443", "sources = 10.3.0.0/16", "policy = report");
        Decision d = Policy.decide(c, Enforcement.REPORT, "Unlisted.Example.com.", 443, ip("10.3.0.7"));
        assertTrue(d.allowed(), d.toString());
        assertEquals(PolicyReason.REPORT, d.reason());
        assertEquals(PolicyReason.NOT_ALLOWLISTED, d.wouldDeny());
        assertNull(d.rule());
        assertEquals(Via.DIRECT, d.via());
        assertEquals("unlisted.example.com:443", d.upstream().toString());
        assertEquals("allow", d.decisionText());
    }

    @Test
    void reportRelaysAnUnlistedNameToTheParentBelowTheTop() {
        Config c = fs.ok(ALLOWLIST.replace("direct", "parent"), "listen.https = 443", "parent = 10.4.0.10", "policy = report");
        Decision d = Policy.decide(c, Enforcement.REPORT, "unlisted.example.com", 8883, ip("10.3.0.7"));
        assertTrue(d.allowed());
        assertEquals(Via.PARENT, d.via());
        assertEquals("10.4.0.10:8883", d.upstream().toString());
        assertEquals(PolicyReason.NOT_ALLOWLISTED, d.wouldDeny());
    }

    @Test
    void reportChangesNothingForListedNamesAndEveryOtherRefusalStands() {
        Config c = fs.ok(ALLOWLIST, "listen.https = 443", "sources = 10.3.0.0/16", "policy = report");
        Decision listed = Policy.decide(c, Enforcement.REPORT, "historian.plant.local", 443, ip("10.3.0.7"));
        assertEquals(PolicyReason.ALLOWLIST, listed.reason());
        assertEquals("historian.plant.local", listed.rule().pattern());
        assertEquals(Via.FIXED, listed.via());
        assertNull(listed.wouldDeny());
        Decision outside = Policy.decide(c, Enforcement.REPORT, "unlisted.example.com", 443, ip("192.168.1.5"));
        assertFalse(outside.allowed());
        assertEquals(PolicyReason.SOURCE_NOT_ALLOWED, outside.reason());
        assertNull(outside.wouldDeny());
        assertEquals(PolicyReason.NO_SNI, Policy.decide(c, Enforcement.REPORT, null, 443, ip("10.3.0.7")).reason());
        assertEquals(PolicyReason.NO_SNI, Policy.decide(c, Enforcement.REPORT, "", 443, ip("10.3.0.7")).reason());
        // not a DNS name (an HTTP request's IPv6 literal): nothing to resolve, refused as enforced
        assertEquals(PolicyReason.NOT_ALLOWLISTED, Policy.decide(c, Enforcement.REPORT, "fd00::1", 443, ip("10.3.0.7")).reason());
        // the plain decide is the enforcing one
        assertEquals(PolicyReason.NOT_ALLOWLISTED, Policy.decide(c, "unlisted.example.com", 443, ip("10.3.0.7")).reason());
    }

    @Test
    void aListenerOverridesTheBoxEitherWay() {
        Config c = fs.ok(ALLOWLIST, "listen.https = 443", "listen.mqtts = 8883", "listen.mqtts.policy = report",
                "listen.opcua = 4840", "listen.opcua.mode = tcp", "listen.opcua.target = 10.3.0.15");
        assertEquals(Enforcement.ENFORCE, c.policy());
        assertEquals(Enforcement.ENFORCE, c.listener("https").orElseThrow().policy());
        assertEquals(Enforcement.REPORT, c.listener("mqtts").orElseThrow().policy());
        assertEquals(List.of("mqtts"), c.reportListeners().stream().map(ListenerSpec::name).toList());
        assertTrue(c.effectiveSettings().contains("listen.mqtts.policy = report"), c.effectiveSettings().toString());
        assertTrue(c.effectiveSettings().contains("listen.https.policy = enforce (default)"));
        assertFalse(c.effectiveSettings().stream().anyMatch(l -> l.startsWith("listen.opcua.policy")), "a tcp listener has no allowlist");

        Config r = fs.ok(ALLOWLIST, "policy = REPORT", "listen.https = 443", "listen.mqtts = 8883", "listen.mqtts.policy = enforce");
        assertEquals(Enforcement.REPORT, r.policy());
        assertEquals(Enforcement.REPORT, r.listener("https").orElseThrow().policy());
        assertEquals(Enforcement.ENFORCE, r.listener("mqtts").orElseThrow().policy());
        assertTrue(r.effectiveSettings().contains("policy = report"));
        assertTrue(r.effectiveSettings().contains("listen.https.policy = report (default)"));
    }

    @Test
    void badValuesAreProblemsNamingTheKey() {
        String p = ConfFs.lines(fs.load(ALLOWLIST, "listen.https = 443", "policy = audit"));
        assertTrue(p.contains(":2: bad value 'audit' for 'policy': unknown policy 'audit'; expected enforce (refuse names"), p);
        String l = ConfFs.lines(fs.load(ALLOWLIST, "listen.https = 443", "listen.https.policy = off"));
        assertTrue(l.contains(":2: bad value 'off' for 'listen.https.policy'"), l);
        String t = ConfFs.lines(fs.load(ALLOWLIST, "listen.opcua = 4840", "listen.opcua.mode = tcp",
                "listen.opcua.target = 10.3.0.15", "listen.opcua.policy = report"));
        assertTrue(t.contains(":4: 'listen.opcua.policy' is not used with mode tcp"), t);
        assertThrows(IllegalArgumentException.class, () -> Enforcement.parse("maybe"));
        assertEquals("report", Enforcement.REPORT.toString());
    }

    @Test
    void checkWarnsThatAListenerInReportModeIsNotDenying() {
        LoadResult box = fs.load(ALLOWLIST, "listen.https = 127.0.0.1:443", "listen.mqtts = 127.0.0.1:8883", "policy = report",
                "listen.mqtts.policy = enforce");
        assertTrue(box.ok(), box.problems().toString());
        List<String> w = box.warnings().stream().map(Problem::toString).toList();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("/etc/lnm/lnm.properties:3: warning: listener 'https' is in report mode (policy = report): "
                + "it is not denying by default"), w.get(0));

        LoadResult one = fs.load(ALLOWLIST, "listen.https = 127.0.0.1:443", "listen.https.policy = report");
        List<String> w1 = one.warnings().stream().map(Problem::toString).toList();
        assertEquals(1, w1.size(), w1.toString());
        assertTrue(w1.get(0).startsWith("/etc/lnm/lnm.properties:2: warning: listener 'https' is in report mode "
                + "(listen.https.policy = report)"), w1.get(0));

        assertEquals(List.of(), fs.load(ALLOWLIST, "listen.https = 127.0.0.1:443").warnings());
    }
}
