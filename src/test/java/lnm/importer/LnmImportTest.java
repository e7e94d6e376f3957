package lnm.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Main;

/** `lnm import lnm-cr` on resources as Microsoft's documentation shows them, then `lnm check` and `lnm explain` on the output. */
class LnmImportTest {
    @TempDir
    Path tmp;

    record Run(int code, String out) {}

    static Run lnm(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(b, true, StandardCharsets.UTF_8), args);
        return new Run(code, b.toString(StandardCharsets.UTF_8));
    }

    Path fixture(String name) throws Exception {
        Path p = tmp.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    @Test
    void theLevel4ExampleOfTheAksPageImportsAndPassesCheck() throws Exception {
        Path out = tmp.resolve("out");
        Run r = lnm("import", "lnm-cr", fixture("level4.yaml").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out());
        // every field without an lnm meaning is named, with what to do instead
        assertTrue(r.out().contains("level4.yaml:9: warning: spec.image: lnm runs from its own image"), r.out());
        assertTrue(r.out().contains("level4.yaml:13: warning: spec.replicas: set the Deployment's replicas"), r.out());
        assertTrue(r.out().contains("level4.yaml:14: warning: spec.logLevel 'debug'"), r.out());
        assertTrue(r.out().contains("level4.yaml:15: warning: spec.openTelemetryMetricsCollectorAddr: lnm does not push"), r.out());

        Path config = out.resolve("lnm.properties");
        Run check = lnm("check", "--config", config.toString());
        assertEquals(0, check.code(), check.out());
        String props = Files.readString(config);
        assertTrue(props.contains("\nlevel = 4\n"), props);
        assertTrue(props.contains("\nsources = 0.0.0.0/0\n"), props);
        assertFalse(props.contains("\nparent ="), props);
        String allow = Files.readString(out.resolve("allowlist.properties"));
        assertTrue(allow.contains("\n*.ods.opinsights.azure.com = direct\n"), allow);
        assertTrue(allow.contains("\nraw.githubusercontent.com = direct\n"), allow);
        // enableArcDomains: the shipped Arc list, without the names the resource already lists
        assertTrue(allow.contains("\nmanagement.azure.com = direct\n"), allow);
        assertTrue(allow.contains("\n*.his.arc.azure.com = direct\n"), allow);
        assertEquals(1, allow.split("\n\\*\\.vault\\.azure\\.net = ", -1).length - 1, allow);

        Run explain = lnm("explain", "--config", config.toString(), "foo.docker.io");
        assertEquals(0, explain.code(), explain.out());
        assertTrue(explain.out().contains("*.docker.io"), explain.out());
        Run denied = lnm("explain", "--config", config.toString(), "example.org");
        assertTrue(denied.out().contains("deny"), denied.out());
    }

    @Test
    void theE4inOfTheFirstPreviewsWithItsEmptyDomainsImports() throws Exception {
        Path out = tmp.resolve("out");
        Run r = lnm("import", "lnm-cr", fixture("e4in.yaml").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out());
        assertFalse(r.out().contains("spec.logLevel"), "info is what lnm does anyway: " + r.out());
        assertTrue(r.out().contains("warning: spec.level is not set"), r.out());
        assertEquals(0, lnm("check", "--config", out.resolve("lnm.properties").toString()).code());
        assertTrue(Files.readString(out.resolve("allowlist.properties")).contains("\nmcr.microsoft.com = direct\n"));
    }

    @Test
    void aLevel3ResourceFromKubectlJsonHandsExternalNamesToItsParent() throws Exception {
        Path out = tmp.resolve("out");
        Run r = lnm("import", "lnm-cr", fixture("level3.json").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("warning: spec.nodeTolerations: put the tolerations under spec.template.spec.tolerations"), r.out());
        assertEquals(0, lnm("check", "--config", out.resolve("lnm.properties").toString()).code());
        String props = Files.readString(out.resolve("lnm.properties"));
        assertTrue(props.contains("\nparent = 10.4.0.10:443\n"), props);
        assertTrue(props.contains("\nsources = 10.3.0.0/16, 10.2.0.0/16\n"), props);
        assertTrue(props.contains("\nlevel = 3\n"), props);
        String allow = Files.readString(out.resolve("allowlist.properties"));
        assertTrue(allow.contains("\n*.azurecr.io = parent\n"), allow);
        assertTrue(allow.contains("\nhistorian.plant.local = direct\n"), allow);
        assertFalse(allow.contains("management.azure.com"), "enableArcDomains is false: " + allow);
    }

    @Test
    void badInputIsAnErrorWithItsLineAndWritesNothing() throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, String.join("\n",
                "apiVersion: layerednetworkmgmt.iotoperations.azure.com/v1beta1",
                "kind: Lnm",
                "spec:",
                "  level: 7",
                ""));
        Path out = tmp.resolve("out");
        Run r = lnm("import", "lnm-cr", f.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("bad.yaml:4: spec.level must be an integer from 0 to 5, got '7'"), r.out());
        assertFalse(Files.exists(out.resolve("lnm.properties")));

        Files.writeString(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
        r = lnm("import", "lnm-cr", f.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("bad.yaml:1: not an Lnm resource: apiVersion 'v1', kind 'ConfigMap'"), r.out());
    }

    @Test
    void existingFilesAreNotOverwrittenAndUsageIsChecked() throws Exception {
        Path out = tmp.resolve("out");
        Path in = fixture("e4in.yaml");
        assertEquals(0, lnm("import", "lnm-cr", in.toString(), "--out", out.toString()).code());
        Run again = lnm("import", "lnm-cr", in.toString(), "--out", out.toString());
        assertEquals(1, again.code());
        assertTrue(again.out().contains("exists; lnm import does not overwrite"), again.out());
        assertEquals(2, lnm("import", "lnm-cr", in.toString()).code());
        assertEquals(2, lnm("import", "e4in", in.toString(), "--out", out.toString()).code());
    }

    @Test
    void destinationTypesMapByLevelAndUrlsAreReadAsNames() throws Exception {
        LnmResource r = LnmImport.read(String.join("\n",
                "apiVersion: layerednetworkmgmt.iotoperations.azure.com/v1beta1",
                "kind: Lnm",
                "spec:",
                "  level: 3",
                "  parentIpAddr: 10.4.0.10",
                "  parentPort: 8443",
                "  port: 443",
                "  allowList:",
                "    domains:",
                "    - {destinationUrl: 'https://Example.COM:443/path', destinationType: external}",
                "    - destinationUrl: opc.plant.local",
                "      destinationType: internal",
                "    - destinationUrl: nodefault.example",
                ""));
        assertEquals("10.4.0.10:8443", r.parent());
        String allow = LnmImport.allowlist(r, java.util.List.of("management.azure.com"));
        assertTrue(allow.contains("\nexample.com = parent\n"), allow);
        assertTrue(allow.contains("\nopc.plant.local = direct\n"), allow);
        assertTrue(allow.contains("\nnodefault.example = parent\n"), allow);
        assertTrue(r.warnings().stream().anyMatch(w -> w.line() == 10 && w.message().contains("is read as 'example.com'")), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.line() == 13 && w.message().contains("no destinationType")), r.warnings().toString());
    }
}
