package lnm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.audit.AuditRecord;
import lnm.audit.Verdict;
import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.floor.ConnectionInfo;

/** The status page rendered from known numbers, without a running appliance. */
class StatusPageTest {
    @TempDir
    Path dir;

    private ApplianceView view(Config c, List<ConnectionInfo> live) {
        return new FixedView(() -> c, live, Optional.of(new InetSocketAddress("127.0.0.1", 8443)));
    }

    private Config config() throws Exception {
        Files.writeString(dir.resolve("lnm.properties"), "level = 3\nlisten.https = 127.0.0.1:8443\nadmin.listen = off\n");
        Files.writeString(dir.resolve("allowlist.properties"), "management.azure.com = direct\n*.blob.core.windows.net =\n");
        LoadResult r = Config.load(dir.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        return r.config();
    }

    private static AuditRecord rec(Verdict decision, String reason, String sni, String rule) {
        AuditRecord r = new AuditRecord("https", 3, new InetSocketAddress("10.2.0.7", 50000));
        r.decision(decision);
        r.reason(reason);
        r.hello(sni, List.of(), null, false);
        r.rule(rule);
        r.bytes(1000, 5000);
        return r;
    }

    @Test
    void showsCountsPerListenerRuleAndDeniedNameEscaped() throws Exception {
        Config c = config();
        Metrics m = new Metrics();
        for (int i = 0; i < 3; i++) {
            m.record(rec(Verdict.ALLOW, "allowlist:management.azure.com", "management.azure.com", "management.azure.com"));
        }
        for (int i = 0; i < 4; i++) {
            m.record(rec(Verdict.DENY, "not_allowlisted", "<img src=x onerror=alert(1)>.example", null));
        }
        History h = new History(100);
        long now = 1_000_000_000_000L;
        for (int i = 0; i < 30; i++) {
            h.add(new History.Sample(now - (30 - i) * 1000L, i % 5, i, i / 2, i * 10_000L, i * 50_000L));
        }
        List<ConnectionInfo> live = List.of(new ConnectionInfo("https", "10.2.0.7:50001", "10.1.0.9:4000",
                "management.azure.com", "RELAYING", "203.0.113.5:443", 1234, 5678, 65_000));
        String html = StatusPage.render(view(c, live), m, h, now);

        assertFalse(html.contains("<img"), "client-sent names are escaped");
        assertFalse(html.contains("<script"), "no script at all");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;.example"));
        assertTrue(html.contains("<tr data-listener=\"https\">"));
        assertTrue(html.contains("<td class=\"n allow\">3</td><td class=\"n deny\">4</td>"), "listener counts");
        assertTrue(html.contains("<tr data-rule=\"management.azure.com\"><td><code>management.azure.com</code></td><td>direct</td>"
                + "<td class=\"n allow\">3</td>"), "rule counts");
        assertTrue(html.contains("<tr data-rule=\"*.blob.core.windows.net\" class=\"idle\">"), "rules without traffic are listed");
        assertTrue(html.contains("<svg id=\"chart-connections\""));
        assertTrue(html.contains("<svg id=\"chart-throughput\""));
        assertTrue(html.contains("data-series=\"active\""));
        assertTrue(html.contains("data-series=\"down\""));
        assertTrue(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"));
        assertTrue(html.contains("10.1.0.9:4000"), "live connection with its origin");
        assertTrue(html.contains("1m 5s"), "age");
        assertTrue(html.contains("id=\"tile-allowed\">3<"));
        assertTrue(html.contains("id=\"tile-denied\">4<"));
    }

    @Test
    void reportModeShowsABannerTheWouldDenyNamesAndCountsThem() throws Exception {
        Files.writeString(dir.resolve("lnm.properties"), "level = 3\nlisten.https = 127.0.0.1:8443\nadmin.listen = off\npolicy = report\n");
        Files.writeString(dir.resolve("allowlist.properties"), "management.azure.com = direct\n");
        Config c = Config.load(dir.resolve("lnm.properties")).config();
        Metrics m = new Metrics();
        long now = 1_000_000_000_000L;
        String before = StatusPage.render(view(c, List.of()), m, new History(10), now);
        assertTrue(before.contains("id=\"report-mode\""), "the banner says the box is not denying");
        assertTrue(before.contains("no would-deny names yet"));
        for (int i = 0; i < 2; i++) {
            AuditRecord r = rec(Verdict.ALLOW, "report", "<b>unlisted.example.com", null);
            r.wouldDeny("not_allowlisted");
            m.record(r);
        }
        m.record(rec(Verdict.ALLOW, "allowlist:management.azure.com", "management.azure.com", "management.azure.com"));
        String html = StatusPage.render(view(c, List.of()), m, new History(10), now);
        assertTrue(html.contains("<table id=\"wouldDeny\">"), html);
        assertTrue(html.contains("<tr data-would-deny=\"&lt;b&gt;unlisted.example.com\">"), "escaped, counted apart from denials");
        assertTrue(html.contains("no names denied yet"), "a would-deny is not a denial");
        String metrics = m.exposition(view(c, List.of()));
        assertTrue(metrics.contains("lnm_would_deny_total{listener=\"https\"} 2"), metrics);
        assertTrue(metrics.contains("lnm_connections_total{listener=\"https\",decision=\"allow\",reason=\"report\"} 2"), metrics);

        Config enforcing = config();
        assertFalse(StatusPage.render(view(enforcing, List.of()), new Metrics(), new History(10), now).contains("wouldDeny"),
                "no would-deny card while nothing is in report mode and nothing was counted");
    }

    @Test
    void aRejectedReloadIsShownWithItsProblems() throws Exception {
        Metrics m = new Metrics();
        m.reloaded(List.of("/etc/lnm/lnm.properties:3: unknown key 'levle'; did you mean 'level'?"));
        String html = StatusPage.render(view(config(), List.of()), m, new History(10), System.currentTimeMillis());
        assertTrue(html.contains("id=\"reload-failed\""));
        assertTrue(html.contains("unknown key &#39;levle&#39;; did you mean &#39;level&#39;?"));
        assertTrue(html.contains("collecting samples"), "an empty chart says why");
    }

    @Test
    void formats() {
        assertEquals("999 B", StatusPage.bytes(999));
        assertEquals("1.5 kB", StatusPage.bytes(1500));
        assertEquals("250 MB", StatusPage.bytes(250e6));
        assertEquals("59s", StatusPage.duration(59_999));
        assertEquals("2h 3m", StatusPage.duration((2 * 3600 + 3 * 60 + 4) * 1000L));
        assertEquals("1,234,567", StatusPage.count(1234567));
        assertEquals(2.5, Charts.niceStep(2.1));
        assertEquals(50.0, Charts.niceStep(31));
        assertEquals(1.0, Charts.niceStep(0));
    }

    @Test
    void topNamesKeepsTheFrequentOnesInBoundedMemory() {
        TopNames t = new TopNames(4);
        for (int i = 0; i < 100; i++) {
            t.add("frequent.example", "not_allowlisted", new InetSocketAddress("10.2.0.7", 1), "https", i);
            t.add("noise-" + i + ".example", "not_allowlisted", new InetSocketAddress("10.2.0.7", 1), "https", i);
        }
        List<TopNames.Entry> top = t.top(10);
        assertEquals(4, top.size());
        assertEquals("frequent.example", top.get(0).name());
        assertTrue(top.get(0).count() >= 100);
    }
}
