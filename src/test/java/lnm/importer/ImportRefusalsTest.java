package lnm.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.importer.LnmImportTest.Run;

/**
 * What `lnm import lnm-cr` refuses: a used field with a control or separator character, deep
 * or huge input; each with one line that names the file and the line, and nothing written.
 * And what it prints and keeps: the check's warnings, and nothing under --strict when there are any.
 */
class ImportRefusalsTest {
    static final String API = "apiVersion: layerednetworkmgmt.iotoperations.azure.com/v1beta1";

    @TempDir
    Path tmp;

    Path file(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** Imports {@code in}; asserts exit 1, exactly one output line "IN:LINE: ..." holding {@code text}, and no out folder. */
    Run refused(Path in, int line, String text) {
        Path out = tmp.resolve("out");
        Run r = LnmImportTest.lnm("import", "lnm-cr", in.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.out());
        List<String> lines = r.out().lines().filter(l -> !l.contains(": warning: ")).toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith(in + (line > 0 ? ":" + line + ": " : ": ")), r.out());
        assertTrue(lines.get(0).contains(text), r.out());
        assertFalse(Files.exists(out), "nothing written: " + r.out());
        return r;
    }

    @Test
    void aNameWithEscapedNewlinesCannotAddSettings() throws Exception {
        String name = "\"a\\ndirect.allowSpecialAddresses = any\\nlisten.https.acceptProxyProtocol = any\\n#\"";
        Path yaml = file("inject.yaml", String.join("\n", API, "kind: Lnm", "metadata:", "  name: " + name, "spec:", "  level: 4", ""));
        Run r = refused(yaml, 4, "metadata.name holds the control character U+000A at position 2");
        assertFalse(r.out().contains("\ndirect."), "the message shows the name escaped, on one line: " + r.out());
        Path json = file("inject.json", "{\"apiVersion\": \"layerednetworkmgmt.iotoperations.azure.com/v1beta1\", \"kind\": \"Lnm\",\n"
                + "\"metadata\": {\"name\": \"x\",\n \"namespace\": " + name + "},\n\"spec\": {\"level\": 4}}\n");
        refused(json, 3, "metadata.namespace holds the control character U+000A");
    }

    @Test
    void everyUsedFieldRefusesControlAndSeparatorCharacters() throws Exception {
        String[] bad = {"\\r", "\\0", "\\t", "\\u007f", "\\u0085", "\\u2028", "\\u2029", "\\u202e", "\\u0001", "\\u001b"};
        String[][] fields = {
            {"metadata.name", "metadata: {name: \"%s\"}", "spec: {level: 4}"},
            {"metadata.namespace", "metadata: {namespace: \"%s\"}", "spec: {level: 4}"},
            {"spec.parentIpAddr", "metadata: {name: x}", "spec: {parentIpAddr: \"10.0.0.1%s\"}"},
            {"spec.level", "metadata: {name: x}", "spec: {level: \"4%s\"}"},
            {"spec.port", "metadata: {name: x}", "spec: {port: \"443%s\"}"},
            {"spec.logLevel", "metadata: {name: x}", "spec: {logLevel: \"info%s\"}"},
            {"spec.allowList.domains[0].destinationUrl", "metadata: {name: x}", "spec: {allowList: {domains: [{destinationUrl: \"a.example%s\"}]}}"},
            {"spec.allowList.domains[0].destinationType", "metadata: {name: x}",
                    "spec: {allowList: {domains: [{destinationUrl: a.example, destinationType: \"internal%s\"}]}}"},
            {"spec.allowList.sourceIpRange[0].addressPrefix", "metadata: {name: x}", "spec: {allowList: {sourceIpRange: [{addressPrefix: \"10.0.0.0%s\"}]}}"},
            {"spec.allowList.enableArcDomains", "metadata: {name: x}", "spec: {allowList: {enableArcDomains: \"true%s\"}}"},
        };
        for (String[] f : fields) {
            for (String c : bad) {
                Path in = file("bad.yaml", String.join("\n", API, "kind: Lnm", "", String.format(f[1], c), String.format(f[2], c), ""));
                int line = f[1].contains("%s") ? 4 : 5;
                refused(in, line, f[0] + " holds the control character U+");
            }
        }
        // written as they are, not escaped: a raw CR, a raw NUL and a raw U+2028 in a name
        for (String raw : List.of("\r", "\0", "\u2028", "\u0085")) {
            Path in = file("raw.yaml", String.join("\n", API, "kind: Lnm", "metadata:", "  name: a" + raw + "b", "spec: {level: 4}", ""));
            refused(in, 4, "metadata.name holds the control character U+");
        }
        // a block scalar's own line end is a control character in a name too
        refused(file("block.yaml", String.join("\n", API, "kind: Lnm", "metadata:", "  name: |", "    x", "spec: {level: 4}", "")),
                4, "metadata.name holds the control character U+000A");
    }

    @Test
    void anAddressPrefixIsOneAddress() throws Exception {
        Path in = file("list.yaml", String.join("\n", API, "kind: Lnm", "spec:", "  allowList:",
                "    sourceIpRange: [{addressPrefix: '0.0.0.0/0, 10.0.0.1', prefixLen: 32}]", ""));
        refused(in, 5, "is not one IPv4 or IPv6 address");
    }

    @Test
    void deepNestingIsAOneLineErrorNeverAStackOverflow() throws Exception {
        refused(file("flow.yaml", "[".repeat(300_000) + "\n"), 1, "nested deeper than 64 levels");
        refused(file("flowmap.yaml", API + "\nspec: " + "{a: ".repeat(100_000) + "\n"), 2, "nested deeper than 64 levels");
        refused(file("json.json", "{\"a\": " + "[".repeat(300_000)), 1, "nested deeper than 64 levels");
        StringBuilder block = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            block.append(" ".repeat(i)).append("a:\n");
        }
        refused(file("block.yaml", block.toString()), 65, "nested deeper than 64 levels");
        refused(file("items.yaml", "- ".repeat(300_000) + "x\n"), 1, "nested deeper than 64 levels");
        StringBuilder itemsBlock = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            itemsBlock.append(" ".repeat(2 * i)).append("-\n");
        }
        refused(file("itemsblock.yaml", itemsBlock.toString()), 65, "nested deeper than 64 levels");
        // the flow levels count on top of the block levels: 61 maps and 3 lists are still a document
        StringBuilder maps = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            maps.append(" ".repeat(i)).append("a:\n");
        }
        refused(file("mixed.yaml", maps + " ".repeat(60) + "b: [[[[1]]]]\n"), 61, "nested deeper than 64 levels");
        refused(file("mixed.yaml", maps + " ".repeat(60) + "b: [[[1]]]\n"), 1, "not an Lnm resource");
    }

    @Test
    void hugeInputIsAOneLineError() throws Exception {
        Path big = tmp.resolve("big.yaml");
        Files.write(big, new byte[Limits.MAX_BYTES + 1]);
        refused(big, 0, "larger than " + Limits.MAX_BYTES + " bytes");
        refused(file("entries.json", "[" + "0,".repeat(Limits.MAX_ENTRIES) + "0]"), 1, "more than 100000 map entries and list items");
        refused(file("entries.yaml", "- 0\n".repeat(Limits.MAX_ENTRIES + 1)), 100_001, "more than 100000 map entries and list items");
        refused(file("lines.yaml", "\n".repeat(YamlReader.MAX_LINES + 1)), YamlReader.MAX_LINES + 1, "more than " + YamlReader.MAX_LINES + " lines");
        refused(file("scalar.yaml", API + "\nkind: '" + "x".repeat(Limits.MAX_SCALAR + 1) + "'\n"), 2, "a value of 262145 characters");
        refused(file("long.yaml", String.join("\n", API, "kind: Lnm", "metadata:", "  name: " + "n".repeat(2000), "spec: {level: 4}", "")),
                4, "metadata.name is 2000 characters long (at most 1024)");
        Path notUtf8 = tmp.resolve("latin1.yaml");
        Files.write(notUtf8, (API + "\nkind: Lnm\nmetadata: {name: caf\u00e9}\n").getBytes(StandardCharsets.ISO_8859_1));
        refused(notUtf8, 3, "bytes that are not UTF-8");
    }

    @Test
    void theChecksWarningsArePrintedAndStrictKeepsNothing() throws Exception {
        Path in = file("wild.yaml", String.join("\n", API, "kind: Lnm", "metadata: {name: wild}", "spec:", "  level: 4",
                "  allowList:", "    domains: [{destinationUrl: '*.vault.azure.net', destinationType: external}]",
                "    sourceIpRange: [{addressPrefix: 10.0.0.0, prefixLen: 8}]", ""));
        Path out = tmp.resolve("out");
        Run r = LnmImportTest.lnm("import", "lnm-cr", in.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains(out.resolve("allowlist.properties") + ":6: warning: '*.vault.azure.net' allows every key vault"), r.out());
        assertTrue(r.out().contains("(1 allowlist rule(s), 1 warning(s))"), r.out());

        Path strictOut = tmp.resolve("strict");
        Run s = LnmImportTest.lnm("import", "lnm-cr", in.toString(), "--out", strictOut.toString(), "--strict");
        assertEquals(1, s.code(), s.out());
        assertTrue(s.out().contains(":6: warning: '*.vault.azure.net'"), s.out());
        assertTrue(s.out().contains("1 warning(s); " + strictOut.resolve("lnm.properties") + " is not accepted with --strict"), s.out());
        assertFalse(Files.exists(strictOut), "nothing kept: " + s.out());

        // a warning of the resource counts under --strict too, and a folder that was there stays
        Files.createDirectories(strictOut);
        Path fields = file("fields.yaml", String.join("\n", API, "kind: Lnm", "metadata: {name: f}", "spec:", "  level: 4",
                "  replicas: 2", "  allowList:", "    domains: [{destinationUrl: a.example, destinationType: external}]",
                "    sourceIpRange: [{addressPrefix: 10.0.0.0, prefixLen: 8}]", ""));
        s = LnmImportTest.lnm("import", "lnm-cr", fields.toString(), "--out", strictOut.toString(), "--strict");
        assertEquals(1, s.code(), s.out());
        assertTrue(s.out().contains("fields.yaml:6: warning: spec.replicas"), s.out());
        assertTrue(s.out().contains("1 warning(s); "), s.out());
        try (var list = Files.list(strictOut)) {
            assertEquals(0, list.count());
        }
        Files.writeString(fields, Files.readString(fields).replace("  replicas: 2\n", ""));
        s = LnmImportTest.lnm("import", "lnm-cr", fields.toString(), "--out", strictOut.toString(), "--strict");
        assertEquals(0, s.code(), s.out());
        assertTrue(Files.exists(strictOut.resolve("lnm.properties")));
    }
}
