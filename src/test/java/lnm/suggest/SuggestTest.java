package lnm.suggest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import lnm.audit.Json;
import lnm.config.Config;
import lnm.config.LoadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lnm suggest}: audit files in, an allowlist fragment out. */
class SuggestTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        /** The allowlist lines (not comments, not blank). */
        List<String> rules() {
            return out.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
    }

    /** An audit line as lnm writes it (the fields suggest reads, and a few it passes over). */
    static String rec(String time, String client, String origin, String sni, String decision, String reason, String wouldDeny) {
        Json j = new Json().field("time", time).field("listener", "https").field("level", 3).field("client", client)
                .field("origin", origin).field("sni", sni).field("alpn", List.of("h2", "http/1.1")).field("tls", "TLSv1.3")
                .field("decision", decision).field("reason", reason).field("via", (String) null).field("bytesUp", 0);
        if (wouldDeny != null) {
            j.field("wouldDeny", wouldDeny);
        }
        return j.close();
    }

    static String denied(String time, String client, String sni) {
        return rec(time, client, null, sni, "deny", "not_allowlisted", null);
    }

    Path file(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    Path gz(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    Run run(Limits limits, Path diff, Path... files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Suggest.run(List.of(files), diff, limits, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Run run(Path... files) {
        return run(Limits.DEFAULT, null, files);
    }

    @Test
    void deniedAndWouldDenyNamesBecomeLinesOtherReasonsDoNot() throws Exception {
        Path a = file("audit.jsonl",
                denied("2026-11-30T10:00:00Z", "10.3.0.5:40000", "Historian.Plant.Example"),
                denied("2026-11-30T09:00:00.250Z", "10.3.0.7:40001", "historian.plant.example."),
                rec("2026-11-30T11:00:00Z", "10.3.0.5:40002", "10.2.0.9:5000", "mqtt.vendor.example", "allow", "allowlist:x.example", "not_allowlisted"),
                rec("2026-11-30T11:00:00Z", "10.3.0.5:40002", null, "ok.example", "allow", "allowlist:ok.example", null),
                rec("2026-11-30T11:00:00Z", "10.3.0.5:40002", null, "limited.example", "deny", "rate_limited", null),
                rec("2026-11-30T11:00:00Z", "10.3.0.5:40002", null, "src.example", "deny", "source_not_allowed", null),
                rec("2026-11-30T11:00:00Z", "10.3.0.5:40002", null, "other.example", "allow", "allowlist:other.example", "ech"),
                "{\"time\":\"2026-11-30T11:00:00Z\",\"kind\":\"dns\",\"client\":\"10.3.0.5:53\",\"name\":\"dns.example\",\"result\":\"refused\"}");
        Run r = run(a);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("historian.plant.example =", "mqtt.vendor.example ="), r.rules(), r.out());
        assertTrue(r.out().contains("# 2 connections from 10.3.0.5, 10.3.0.7; first 2026-11-30T09:00:00.250Z, last 2026-11-30T10:00:00Z\n"
                + "historian.plant.example =\n"), r.out());
        // the origin a trusted PROXY header named, not the peer
        assertTrue(r.out().contains("# 1 connection from 10.2.0.9; first 2026-11-30T11:00:00Z, last 2026-11-30T11:00:00Z\n"
                + "mqtt.vendor.example =\n"), r.out());
        assertTrue(r.err().contains("1 file(s), 8 line(s) read, 3 record(s) used, 5 other line(s) ignored; skipped: 0 line(s)"), r.err());
    }

    @Test
    void httpHostAndIpv6ClientsAndCountingRecords() throws Exception {
        String http = new Json().field("time", "2026-11-30T10:00:00Z").field("client", "[fd00::5]:40000").field("origin", (String) null)
                .field("host", "Updates.Vendor.Example").field("decision", "deny").field("reason", "not_allowlisted").field("count", 4).close();
        Run r = run(file("audit.jsonl", http));
        assertEquals(List.of("updates.vendor.example ="), r.rules());
        assertTrue(r.out().contains("# 4 connections from fd00::5; "), r.out());
    }

    @Test
    void rotatedAndCompressedFilesInAnyOrderGiveTheSameFragment() throws Exception {
        Path current = file("audit.jsonl", denied("2026-12-03T08:00:00Z", "10.3.0.9:1", "b.plant.example"));
        Path rotated = file("audit.jsonl-20261203-1764720000", denied("2026-12-02T08:00:00Z", "10.3.0.8:1", "b.plant.example"),
                denied("2026-12-02T09:00:00Z", "10.3.0.8:1", "c.vendor.example"));
        Path old = gz("audit.jsonl-20261202-1764633600.gz", denied("2026-12-01T08:00:00Z", "10.3.0.7:1", "b.plant.example"),
                denied("2026-12-01T09:00:00Z", "10.3.0.7:1", "a.vendor.example"));
        Path lnmRotated = file("audit.jsonl.1", denied("2026-11-30T08:00:00Z", "10.3.0.6:1", "a.vendor.example"));
        Run forward = run(current, rotated, old, lnmRotated);
        Run backward = run(lnmRotated, old, rotated, current);
        assertEquals(0, forward.exit(), forward.err());
        assertEquals(forward.out(), backward.out());
        assertEquals(List.of("b.plant.example =", "a.vendor.example =", "c.vendor.example ="), forward.rules());
        assertTrue(forward.out().contains("# 3 connections from 10.3.0.7, 10.3.0.8, 10.3.0.9; first 2026-12-01T08:00:00Z, "
                + "last 2026-12-03T08:00:00Z\nb.plant.example =\n"), forward.out());
        assertTrue(forward.out().contains("# 2 connections from 10.3.0.6, 10.3.0.7; first 2026-11-30T08:00:00Z, "
                + "last 2026-12-01T09:00:00Z\na.vendor.example =\n"), forward.out());
    }

    @Test
    void siblingsBecomeAWildcardButNeverAtAPublicSuffixOrTenantNamespace() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String n : List.of("a.sensors.example.com", "b.sensors.example.com", "c.sensors.example.com", "x.y.sensors.example.com",
                "one.example.com", "two.example.com", "p1.blob.core.windows.net", "p2.blob.core.windows.net",
                "p3.blob.core.windows.net", "blob.core.windows.net", "queue.core.windows.net", "table.core.windows.net",
                "alpha.co.uk", "beta.co.uk", "gamma.co.uk", "a.com", "b.com", "c.com", "r1.azurecr.io", "r2.azurecr.io", "r3.azurecr.io")) {
            lines.add(denied("2026-11-30T10:00:00Z", "10.3.0.5:1", n));
        }
        Run r = run(file("audit.jsonl", lines.toArray(String[]::new)));
        List<String> rules = r.rules();
        assertTrue(rules.contains("*.sensors.example.com ="), rules.toString());
        // two siblings are not enough
        assertTrue(rules.contains("one.example.com =") && rules.contains("two.example.com ="), rules.toString());
        assertFalse(rules.stream().anyMatch(l -> l.startsWith("*.") && !l.equals("*.sensors.example.com =")), rules.toString());
        for (String n : List.of("p1.blob.core.windows.net", "p3.blob.core.windows.net", "queue.core.windows.net", "alpha.co.uk",
                "a.com", "r2.azurecr.io")) {
            assertTrue(rules.contains(n + " ="), n + " in " + rules);
        }
        assertFalse(rules.contains("a.sensors.example.com ="), rules.toString());
        assertFalse(rules.contains("x.y.sensors.example.com ="), "a deeper name goes to the wildcard too: " + rules);
        assertTrue(r.out().contains("# 4 names asked for below sensors.example.com (a.sensors.example.com, b.sensors.example.com, "
                + "c.sensors.example.com and 1 more)\n# 4 connections from 10.3.0.5; "), r.out());
        assertTrue(r.err().contains("21 name(s) asked for; 18 line(s) suggested (1 wildcard(s))"), r.err());
        assertPassesCheck(r.out());
    }

    @Test
    void nestedParentsGiveTheOuterWildcardOnly() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String n : List.of("a.line1.plant.example", "b.line1.plant.example", "c.line1.plant.example", "line1.plant.example",
                "line2.plant.example", "line3.plant.example")) {
            lines.add(denied("2026-11-30T10:00:00Z", "10.3.0.5:1", n));
        }
        Run r = run(file("audit.jsonl", lines.toArray(String[]::new)));
        assertEquals(List.of("*.plant.example ="), r.rules(), r.out());
    }

    @Test
    void diffLeavesOutWhatTheAllowlistAllows() throws Exception {
        Path allowlist = file("allowlist.properties", "known.plant.example = direct", "*.vendor.example = parent",
                "*.deep.other.example =");
        Path a = file("audit.jsonl", denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "KNOWN.plant.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "x.y.vendor.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "vendor.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "a.deep.other.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "new.plant.example"));
        Run r = run(Limits.DEFAULT, allowlist, a);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("new.plant.example =", "vendor.example ="), r.rules(), r.out());
        assertTrue(r.err().contains("5 name(s) asked for, 3 already allowed by " + allowlist + "; 2 line(s) suggested"), r.err());

        Path all = file("all.properties", "*.plant.example =", "*.vendor.example =", "vendor.example =", "*.other.example =");
        Run none = run(Limits.DEFAULT, all, a);
        assertEquals(0, none.exit());
        assertEquals(List.of(), none.rules(), none.out());
        assertTrue(none.out().contains("# (none)"), none.out());
    }

    @Test
    void diffBuildsWildcardsFromWhatIsStillMissing() throws Exception {
        Path allowlist = file("allowlist.properties", "a.cams.plant.example =");
        List<String> lines = new ArrayList<>();
        for (String n : List.of("a.cams.plant.example", "b.cams.plant.example", "c.cams.plant.example", "a.hmi.plant.example",
                "b.hmi.plant.example", "c.hmi.plant.example", "d.hmi.plant.example")) {
            lines.add(denied("2026-11-30T10:00:00Z", "10.3.0.5:1", n));
        }
        Run r = run(Limits.DEFAULT, allowlist, file("audit.jsonl", lines.toArray(String[]::new)));
        assertEquals(List.of("b.cams.plant.example =", "c.cams.plant.example =", "*.hmi.plant.example ="), r.rules(), r.out());
        Path merged = file("merged.properties", Files.readString(allowlist) + r.out());
        assertPassesCheck(Files.readString(merged));
    }

    @Test
    void anInvalidOrMissingDiffAllowlistOrAuditFileIsExit1WithNothingPrinted() throws Exception {
        Path a = file("audit.jsonl", denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "x.example"));
        Path bad = file("bad.properties", "*.=", "ok.example = direct");
        Run r = run(Limits.DEFAULT, bad, a);
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().contains("bad.properties:1: bad pattern"), r.err());
        assertTrue(r.err().contains("is not a valid allowlist"), r.err());

        Run missing = run(Limits.DEFAULT, null, a, dir.resolve("nope.jsonl"));
        assertEquals(1, missing.exit());
        assertEquals("", missing.out());
        assertTrue(missing.err().contains("nope.jsonl: cannot read: no such file"), missing.err());

        Run missingList = run(Limits.DEFAULT, dir.resolve("none.properties"), a);
        assertEquals(1, missingList.exit());

        Path broken = dir.resolve("audit.jsonl.2.gz");
        byte[] whole;
        try (ByteArrayOutputStream b = new ByteArrayOutputStream(); OutputStream o = new GZIPOutputStream(b)) {
            for (int i = 0; i < 2000; i++) {
                o.write((denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "n" + i + ".example") + "\n").getBytes(StandardCharsets.UTF_8));
            }
            o.close();
            whole = b.toByteArray();
        }
        Files.write(broken, java.util.Arrays.copyOf(whole, whole.length / 2));
        Run truncated = run(a, broken);
        assertEquals(1, truncated.exit());
        assertEquals("", truncated.out());
        assertTrue(truncated.err().contains("audit.jsonl.2.gz: cannot read"), truncated.err());
    }

    @Test
    void hostileNamesAndBrokenLinesAreSkippedAndCounted() throws Exception {
        Path a = file("audit.jsonl",
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "evil.example\n*.com = direct"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "evil.example\r"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "evil\u0000.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "ev\u2028il.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "a".repeat(64) + ".example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", ("abcdefghi.").repeat(26) + "example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "*.example.com"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "10.0.0.1"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "a b.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", ""),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", null),
                denied("not a time", "10.3.0.5:1", "badtime.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1\n# x", "badclient.example"),
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "good.example"),
                "{\"decision\":\"deny\",\"reason\":\"not_allowlisted\",\"sni\":\"dup1.example\",\"sni\":\"dup2.example\","
                        + "\"time\":\"2026-11-30T10:00:00Z\",\"client\":\"10.3.0.5:1\"}",
                "not json at all: not_allowlisted",
                "{\"decision\":\"deny\",\"reason\":\"not_allowlisted\",",
                "{\"time\":\"2026-11-30T10:00:00Z\",\"client\":\"10.3.0.5:1\",\"sni\":\"x" + "[".repeat(40) + "\"}",
                "{\"alpn\":" + "[".repeat(40) + "]".repeat(40) + ",\"decision\":\"deny\",\"reason\":\"not_allowlisted\"}",
                "",
                denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "crlf.example") + "\r",
                "{\"time\":\"2026-11-30T10:00:00Z\",\"client\":\"10.3.0.5:1\",\"sni\":\"long.example\",\"error\":\"" + "x".repeat(70_000)
                        + "\",\"decision\":\"deny\",\"reason\":\"not_allowlisted\"}");
        Run r = run(a);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("crlf.example =", "good.example ="), r.rules(), r.out());
        for (String line : r.out().split("\n", -1)) {
            assertTrue(line.isEmpty() || line.startsWith("#") || line.endsWith(".example ="), line);
            assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), line);
        }
        assertTrue(r.err().contains("22 line(s) read, 2 record(s) used, 2 other line(s) ignored; skipped: 1 line(s) over 65536 bytes, "
                + "6 malformed, 11 with an invalid name"), r.err());
        assertPassesCheck(r.out());
    }

    @Test
    void commentsEscapeEverythingThatCouldEndTheLine() {
        assertEquals("# a\\u000a*.com = direct\\u000d\\u2028\\u005c", Fragment.comment("a\n*.com = direct\r\u2028\\"));
    }

    @Test
    void theTableOfNamesAndOfAddressesIsBounded() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.add(denied("2026-11-30T10:00:00Z", "10.3.0.5:1", "name" + i + ".plant" + (i % 250) + ".example"));
        }
        for (int i = 0; i < 300; i++) {
            lines.add(denied("2026-11-30T10:00:00Z", "10.3." + (i / 200) + "." + (i % 200) + ":1", "name0.plant0.example"));
        }
        Limits small = new Limits(100, 64 * 1024, 5, 2, 3);
        Run r = run(small, null, file("audit.jsonl", lines.toArray(String[]::new)));
        assertEquals(0, r.exit(), r.err());
        assertEquals(100, r.rules().size(), r.out());
        assertTrue(r.err().contains("800 line(s) read, 400 record(s) used, 0 other line(s) ignored; skipped: 0 line(s) over 65536 bytes, "
                + "0 malformed, 0 with an invalid name, 400 record(s) past 100 distinct names"), r.err());
        // 301 distinct addresses: 2 named, the 5 smallest kept, so "at least 4 more"
        assertTrue(r.out().contains("# 301 connections from 10.3.0.0, 10.3.0.1 and at least 4 more; "), r.out());
        assertPassesCheck(r.out());
    }

    /** The fragment, as the whole allowlist of a config, loads without problems or warnings. */
    private void assertPassesCheck(String fragment) throws Exception {
        Path conf = dir.resolve("check");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("allowlist.properties"), fragment);
        Files.writeString(conf.resolve("lnm.properties"), "listen.https = 127.0.0.1:8443\nallowlist = allowlist.properties\n");
        LoadResult l = Config.load(conf.resolve("lnm.properties"));
        assertTrue(l.ok(), l.problems().toString());
        assertEquals(List.of(), l.warnings());
        assertEquals(fragment.lines().filter(x -> !x.isBlank() && !x.startsWith("#")).count(), l.config().allowlist().size());
    }
}
