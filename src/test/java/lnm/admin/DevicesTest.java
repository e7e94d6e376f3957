package lnm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import lnm.audit.AuditRecord;
import lnm.audit.Verdict;

/** The devices table: keying, counts, the bounds on names, fingerprints and devices, escaping. */
class DevicesTest {
    static final String A = "t13d1516h2_8daaf6152771_e5627efa2ab1";
    static final String B = "t13d1517h2_8daaf6152771_b0da82dd1658";
    static final String C = "t12d0909h1_ac47a5b1f6b5_0b8ffbd3b7bf";

    static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(lnm.config.IpLiteral.address(ip), port);
    }

    static int nextPort = 40000;

    static AuditRecord rec(String client, String origin, String sni, Verdict v, String ja4) {
        AuditRecord r = new AuditRecord("https", 3, at(client, nextPort++));
        if (origin != null) {
            r.origin(at(origin, 50000));
        }
        if (sni != null) {
            r.hello(sni, List.of(), "1.3", false);
        }
        r.decision(v);
        r.ja4(ja4);
        return r;
    }

    static Map<String, Device.View> byAddress(Devices d) {
        return d.all().stream().collect(Collectors.toMap(Device.View::address, Function.identity()));
    }

    @Test
    void keyedByOriginWhenPresentElseByClientIpWithoutPort() {
        Devices d = new Devices(64, 1);
        d.record(rec("10.3.0.2", "10.2.0.7", "a.example.com", Verdict.ALLOW, null), 1000);
        d.record(rec("10.3.0.2", "10.2.0.7", "b.example.com", Verdict.ALLOW, null), 1001);
        d.record(rec("10.3.0.2", null, "c.example.com", Verdict.DENY, null), 1002);
        d.record(rec("10.3.0.2", null, "c.example.com", Verdict.DENY, null), 1003); // another port, same device
        d.record(rec("::ffff:10.3.0.9", null, "d.example.com", Verdict.ALLOW, null), 1004);
        Map<String, Device.View> all = byAddress(d);
        assertEquals(3, all.size(), all.keySet().toString());
        assertEquals(2, all.get("10.2.0.7").allowed());
        assertEquals(2, all.get("10.3.0.2").denied());
        assertTrue(all.containsKey("10.3.0.9"), "an IPv4-mapped client is its IPv4 device");
        assertEquals("10.3.0.9", d.all().get(0).address(), "most recently seen first");
    }

    @Test
    void countsAllowedDeniedWouldDenyAndCountingRecords() {
        Devices d = new Devices(64, 1);
        AuditRecord report = rec("10.0.0.1", null, "unlisted.example.com", Verdict.ALLOW, null);
        report.wouldDeny("not_allowlisted");
        d.record(report, 10);
        d.record(rec("10.0.0.1", null, "listed.example.com", Verdict.ALLOW, null), 20);
        AuditRecord limited = rec("10.0.0.1", null, null, Verdict.DENY, null);
        limited.countFirst();
        limited.countAnother();
        limited.countAnother();
        d.record(limited, 30);
        Device.View v = d.all().get(0);
        assertEquals(2, v.allowed(), "report mode's relayed connections are allowed ones");
        assertEquals(1, v.wouldDeny());
        assertEquals(3, v.denied(), "a record counting three refusals stands for three");
        assertEquals(30, v.lastSeenMillis());
        assertTrue(v.firstSeenMillis() <= 10);
        assertEquals(List.of("listed.example.com", "unlisted.example.com"),
                v.names().stream().map(Device.Seen::value).sorted().toList());
    }

    @Test
    void namesAreBoundedToTheMostRecentDistinctOnesWithCounts() {
        Devices d = new Devices(64, 1);
        for (int i = 0; i < 20; i++) {
            d.record(rec("10.0.0.1", null, "n" + i + ".example.com", Verdict.DENY, null), 100 + i);
        }
        d.record(rec("10.0.0.1", null, "N19.Example.COM", Verdict.DENY, null), 200); // same name, other case
        Device.View v = d.all().get(0);
        assertEquals(Device.MAX_NAMES, v.names().size());
        assertEquals(4, v.namesDropped());
        List<String> kept = v.names().stream().map(Device.Seen::value).toList();
        assertFalse(kept.contains("n0.example.com"), "the least recently seen names go first");
        assertTrue(kept.contains("n4.example.com"));
        assertEquals(new Device.Seen("n19.example.com", 2, 200), v.names().get(0), "most counted first");
    }

    @Test
    void fingerprintChangesCountEachDifferenceFromThePreviousOne() {
        Devices d = new Devices(64, 1);
        String[] seq = {A, A, null, B, B, A, C};
        for (int i = 0; i < seq.length; i++) {
            d.record(rec("10.0.0.1", null, "x.example.com", Verdict.ALLOW, seq[i]), 100 + i);
        }
        d.record(rec("10.0.0.2", null, "x.example.com", Verdict.ALLOW, A), 200);
        Map<String, Device.View> all = byAddress(d);
        Device.View v = all.get("10.0.0.1");
        assertEquals(3, v.fingerprintChanges(), "A→B, B→A, A→C; a record without a hello changes nothing");
        assertEquals(C, v.lastFingerprint());
        assertEquals(new Device.Seen(A, 3, 105), v.fingerprints().get(0));
        assertEquals(3, v.fingerprints().size());
        assertEquals(0, all.get("10.0.0.2").fingerprintChanges());
        assertEquals(3, d.fingerprintChanges());
        assertEquals("10.0.0.1", d.top(1).get(0).address(), "a changed device is shown first");
    }

    @Test
    void fingerprintsAreBounded() {
        Devices d = new Devices(64, 1);
        for (int i = 0; i < 10; i++) {
            d.record(rec("10.0.0.1", null, null, Verdict.DENY, "t13d0101h2_" + i + "_x"), 100 + i);
        }
        Device.View v = d.all().get(0);
        assertEquals(Device.MAX_FINGERPRINTS, v.fingerprints().size());
        assertEquals(9, v.fingerprintChanges());
        assertTrue(v.fingerprints().stream().anyMatch(s -> s.value().equals("t13d0101h2_9_x")));
    }

    @Test
    void evictsTheLeastActiveAmongTheLeastRecentlySeen() {
        Devices d = new Devices(4, 1);
        d.record(rec("10.0.0.1", null, null, Verdict.DENY, null), 1);
        for (int i = 0; i < 3; i++) {
            d.record(rec("10.0.0.2", null, null, Verdict.DENY, null), 2);
        }
        d.record(rec("10.0.0.3", null, null, Verdict.DENY, null), 3);
        d.record(rec("10.0.0.4", null, null, Verdict.DENY, null), 4);
        d.record(rec("10.0.0.5", null, null, Verdict.DENY, null), 5); // evicts .1: oldest of the least active
        assertEquals(List.of("10.0.0.5", "10.0.0.4", "10.0.0.3", "10.0.0.2"), d.all().stream().map(Device.View::address).toList());
        d.record(rec("10.0.0.6", null, null, Verdict.DENY, null), 6); // .2 is the oldest but busy: .3 goes
        assertEquals(List.of("10.0.0.6", "10.0.0.5", "10.0.0.4", "10.0.0.2"), d.all().stream().map(Device.View::address).toList());
        d.record(rec("10.0.0.4", null, null, Verdict.DENY, null), 7); // seen again: now the most recent
        d.record(rec("10.0.0.7", null, null, Verdict.DENY, null), 8); // .5 is now the oldest one-shot
        assertEquals(List.of("10.0.0.7", "10.0.0.4", "10.0.0.6", "10.0.0.2"), d.all().stream().map(Device.View::address).toList());
        assertEquals(3, d.evicted());
        assertEquals(4, d.size());
    }

    @Test
    void theDefaultTableStaysWithinItsBound() {
        Devices d = new Devices();
        int n = 6000;
        for (int i = 0; i < n; i++) {
            d.record(rec("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), null, null, Verdict.DENY, null), i);
        }
        assertTrue(d.size() <= Devices.CAPACITY, "size " + d.size());
        assertTrue(d.size() > Devices.CAPACITY * 3 / 4, "stripes fill evenly: size " + d.size());
        assertEquals(n, d.size() + d.evicted());
    }

    @Test
    void hostileNamesAreCutAndEscapedInJsonAndHtml() {
        Devices d = new Devices(64, 1);
        AuditRecord r = new AuditRecord("http", 3, at("10.0.0.1", 1234));
        r.request("<script>alert(\"x\")</script>\u0001'&\\", "GET", "/");
        d.record(r, 100);
        d.record(rec("10.0.0.1", null, "a".repeat(300) + ".example.com", Verdict.DENY, "<b>\"fp\""), 101);
        Device.View v = d.all().get(0);
        String longName = v.names().stream().map(Device.Seen::value).filter(s -> s.startsWith("aaa")).findFirst().orElseThrow();
        assertEquals(Device.MAX_NAME_CHARS, longName.length());
        assertTrue(longName.endsWith("a..."), longName);

        String json = DevicesSection.json(d);
        assertTrue(json.contains("\"name\":\"<script>alert(\\\"x\\\")</script>?'&\\\\\""), json);
        assertFalse(json.contains("\u0001"));
        assertTrue(json.contains("\"ja4\":\"<b>\\\"fp\\\"\""), json);
        assertTrue(json.startsWith("{\"devices\":1,\"capacity\":" + Devices.CAPACITY + ",\"evicted\":0,\"fingerprintChanges\":0,\"list\":[{\"device\":\"10.0.0.1\""), json);

        StringBuilder html = new StringBuilder();
        DevicesSection.card(html, d, 200);
        String page = html.toString();
        assertFalse(page.contains("<script"), page);
        assertFalse(page.contains("<b>"), page);
        assertTrue(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;?&#39;&amp;\\"), page);
        assertTrue(page.contains("&lt;b&gt;&quot;fp&quot;"), page);
    }

    @Test
    void anEmptyTableRendersAndListsNothing() {
        Devices d = new Devices();
        assertEquals("{\"devices\":0,\"capacity\":4096,\"evicted\":0,\"fingerprintChanges\":0,\"list\":[]}\n", DevicesSection.json(d));
        StringBuilder html = new StringBuilder();
        DevicesSection.card(html, d, 0);
        assertTrue(html.toString().contains("no connections finished yet"));
    }
}
