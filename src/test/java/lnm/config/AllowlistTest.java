package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllowlistTest {
    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private Allowlist read(String text) {
        AllowlistReader.Loaded l = AllowlistReader.read(fs.write("allowlist.properties", text), true);
        assertEquals(List.of(), l.problems());
        return l.allowlist();
    }

    private List<String> problems(String text, boolean parent) {
        AllowlistReader.Loaded l = AllowlistReader.read(fs.write("allowlist.properties", text), parent);
        List<String> out = new ArrayList<>();
        l.problems().forEach(p -> out.add(p.toString()));
        return out;
    }

    private static String matched(Allowlist a, String name) {
        return a.match(name).map(Rule::pattern).orElse("-");
    }

    @Test
    void designExampleReadsWithLinesAndDestinations() {
        Allowlist a = read(ConfFs.DESIGN_ALLOWLIST);
        Path f = fs.dir.resolve("allowlist.properties");
        assertEquals(List.of(
                new Rule("management.azure.com", new Destination.Direct(), f, 2),
                new Rule("*.his.arc.azure.com", new Destination.Parent(), f, 4),
                new Rule("historian.plant.local", new Destination.Fixed(new HostPort("10.3.0.20", 443)), f, 6),
                new Rule("*.blob.core.windows.net", new Destination.Default(), f, 8)), a.rules());
    }

    @ParameterizedTest
    @CsvSource({
        "a.azure.com, *.azure.com",
        "a.b.azure.com, *.azure.com",
        "x.y.z.azure.com, *.azure.com",
        "azure.com, -",
        "evilazure.com, -",
        "azure.com.evil.net, -",
        "a.azure.com.evil.net, -",
        "azure.co, -",
        "management.azure.com, management.azure.com",
        "MANAGEMENT.Azure.com., management.azure.com",
        "Management.Azure.COM, management.azure.com",
        "management.azure.com.., -",
        "x.management.azure.com, *.azure.com",
        "gw.arc.azure.com, *.arc.azure.com",
        "a.b.ARC.azure.com., *.arc.azure.com",
        "arc.azure.com, *.azure.com",
        "his.arc.azure.com, *.arc.azure.com",
        "eus.his.arc.azure.com, eus.his.arc.azure.com",
        "x.eus.his.arc.azure.com, *.arc.azure.com",
        "'', -",
        "., -",
        ".azure.com, -",
        "a..azure.com, -",
        "*.azure.com, -",
        "a b.azure.com, -",
        "caf\u00e9.azure.com, -",
    })
    void mostSpecificWins(String name, String expected) {
        Allowlist a = read("*.azure.com = direct\n*.arc.azure.com = parent\nmanagement.azure.com = direct\n"
                + "eus.his.arc.azure.com = 10.3.0.20\n");
        assertEquals(expected, matched(a, name), name);
    }

    @Test
    void orderInFileDoesNotMatter() {
        Allowlist a = read("management.azure.com =\n*.arc.azure.com =\n*.azure.com =\n");
        Allowlist b = read("*.azure.com =\n*.arc.azure.com =\nmanagement.azure.com =\n");
        for (String n : List.of("management.azure.com", "x.arc.azure.com", "x.azure.com", "azure.com")) {
            assertEquals(matched(a, n), matched(b, n), n);
        }
    }

    @Test
    void nullAndOverlongNamesDoNotMatch() {
        Allowlist a = read("*.com = direct\n");
        assertEquals(Optional.empty(), a.match(null));
        assertEquals("*.com", matched(a, "a".repeat(63) + ".com"));
        assertEquals("-", matched(a, "a".repeat(64) + ".com"));
        String long253 = ("a".repeat(61) + ".").repeat(4) + "c.com"; // 248 + 5
        assertEquals(253, long253.length());
        assertEquals("*.com", matched(a, long253));
        assertEquals("-", matched(a, "x" + long253));
    }

    @Test
    void patternsAreNormalized() {
        Allowlist a = read("Management.Azure.COM. = direct\n*.Blob.Core.Windows.Net = direct\nsvc_a.plant-1.local = direct\n");
        assertEquals(List.of("management.azure.com", "*.blob.core.windows.net", "svc_a.plant-1.local"),
                a.rules().stream().map(Rule::pattern).toList());
        assertEquals("*.blob.core.windows.net", matched(a, "acct.blob.core.windows.net"));
    }

    @Test
    void destinations() {
        Allowlist a = read("a.x = direct\nb.x = PARENT\nc.x = 10.3.0.20\nd.x = h.plant.local:8443\ne.x = [fd00::5]:443\nf.x =\ng.x\n");
        List<Destination> d = a.rules().stream().map(Rule::destination).toList();
        assertEquals(List.of(new Destination.Direct(), new Destination.Parent(),
                new Destination.Fixed(new HostPort("10.3.0.20", -1)), new Destination.Fixed(new HostPort("h.plant.local", 8443)),
                new Destination.Fixed(new HostPort("fd00::5", 443)), new Destination.Default(), new Destination.Default()), d);
        assertEquals(List.of("direct", "parent", "10.3.0.20", "h.plant.local:8443", "[fd00::5]:443", "", ""),
                d.stream().map(Destination::text).toList());
    }

    @Test
    void badPatternsAreErrorsWithFileAndLine() {
        List<String> p = problems(String.join("\n",
                "# comment",
                "* = direct",
                "10.3.0.20 = direct",
                "*foo.example.com = direct",
                "a.*.example.com = direct",
                "*.*.example.com = direct",
                "bad!name.com = direct",
                "a..b.com = direct",
                ("x".repeat(64)) + ".com = direct",
                "ok.example.com = direct",
                "1.2.3 = direct",
                "[\\:\\:1] = direct",
                ""), true);
        String f = "/etc/lnm/allowlist.properties:";
        assertEquals(List.of(
                f + "2: bad pattern: '*' alone would allow every name; use '*.example.com'",
                f + "3: bad pattern: '10.3.0.20' is an IP literal; TLS clients send host names, so allowlist names",
                f + "4: bad pattern: '*foo.example.com': '*' is allowed only as the whole first label, as in '*.example.com'",
                f + "5: bad pattern: 'a.*.example.com': '*' is allowed only as the whole first label, as in '*.example.com'",
                f + "6: bad pattern: '*.*.example.com': '*' is allowed only as the whole first label, as in '*.example.com'",
                f + "7: bad pattern: 'bad!name.com' is not a valid name (character '!' is not allowed; use letters, digits, '-' and '_')",
                f + "8: bad pattern: 'a..b.com' is not a valid name (empty label)",
                f + "9: bad pattern: '" + "x".repeat(64) + ".com' is not a valid name (a label is longer than 63 characters)",
                f + "11: bad pattern: '1.2.3' looks like an IP address; allowlist host names",
                f + "12: bad pattern: '[::1]' is an IP literal; TLS clients send host names, so allowlist names"), p);
    }

    @Test
    void tooLongName() {
        String name = "abcd." + ("a".repeat(60) + ".").repeat(4) + "com"; // 252
        assertEquals(252, name.length());
        assertEquals(List.of(), problems(name + " = direct\n", true));
        List<String> p = problems("abcdef." + name.substring(5) + "x = direct\n", true); // 255
        assertEquals(1, p.size());
        assertTrue(p.get(0).endsWith("is not a valid name (longer than 253 characters)"), p.get(0));
        List<String> w = problems("*." + name + " = direct\n", true); // 254
        assertEquals(1, w.size());
        assertTrue(w.get(0).endsWith("is longer than 253 characters"), w.get(0));
    }

    @Test
    void duplicatePatternNamesBothLines() {
        List<String> p = problems("*.azure.com = direct\n# c\nmanagement.azure.com = direct\n*.Azure.com. = parent\n", true);
        assertEquals(List.of("/etc/lnm/allowlist.properties:4: duplicate pattern '*.azure.com' (lines 1 and 4)"), p);
    }

    @Test
    void badDestinations() {
        List<String> p = problems("a.x = directt\nb.x = h:99999\nc.x = 10.3.0.20:\nd.x = [::1\n", true);
        String f = "/etc/lnm/allowlist.properties:";
        String allowed = "; expected direct, parent, host[:port] or nothing (parent if set, else direct)";
        assertEquals(List.of(
                f + "2: bad destination 'h:99999' for 'b.x': port 99999 is out of range 1-65535" + allowed,
                f + "3: bad destination '10.3.0.20:' for 'c.x': missing port after ':'" + allowed,
                f + "4: bad destination '[::1' for 'd.x': '[::1': missing ']'" + allowed), p);
        // 'directt' is a valid host name: a fixed target. Keywords are exact words.
        assertEquals(new Destination.Fixed(new HostPort("directt", -1)), Destination.parse(" directt "));
    }

    @Test
    void parentWithoutParentIsAnError() {
        List<String> p = problems(ConfFs.DESIGN_ALLOWLIST, false);
        assertEquals(List.of("/etc/lnm/allowlist.properties:4: '*.his.arc.azure.com' goes to parent, but no parent is set in"
                + " lnm.properties; set 'parent = host[:port]' or use direct"), p);
    }

    @Test
    void emptyAllowlistDeniesEverything() {
        Allowlist a = read("# nothing allowed yet\n");
        assertEquals(0, a.size());
        assertEquals(Optional.empty(), a.match("management.azure.com"));
    }

    @Test
    void ofValidates() {
        Path f = Path.of("x");
        Rule r = new Rule("*.a.com", new Destination.Direct(), f, 1);
        assertEquals(Optional.of(r), Allowlist.of(List.of(r)).match("b.a.com"));
        assertThrows(IllegalArgumentException.class,
                () -> Allowlist.of(List.of(r, new Rule("*.a.com", new Destination.Direct(), f, 2))));
        assertThrows(IllegalArgumentException.class,
                () -> Allowlist.of(List.of(new Rule("*.A.com", new Destination.Direct(), f, 1))));
        assertThrows(IllegalArgumentException.class,
                () -> Allowlist.of(List.of(new Rule("*", new Destination.Direct(), f, 1))));
    }

    /** A speed: {@code make load-test}. */
    @Test
    @Tag("load")
    void largeAllowlistMatchesByLookupNotScan() {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            rules.add(new Rule("*.tenant" + i + ".example.com", new Destination.Direct(), Path.of("x"), i + 1));
        }
        Allowlist a = Allowlist.of(rules);
        long start = System.nanoTime();
        int hits = 0;
        for (int i = 0; i < 200_000; i++) {
            hits += a.match("a.b.tenant" + (i % 100_000) + ".example.com").isPresent() ? 1 : 0;
            hits += a.match("a.b.other" + i + ".example.com").isPresent() ? 1 : 0;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200_000, hits);
        // A linear scan would take minutes here; hash lookups take well under a second.
        assertTrue(ms < 5_000, "took " + ms + " ms");
    }
}
