package lnm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.TestConfig;
import lnm.testing.TestPki;
import lnm.testing.TlsEchoServer;

/** {@code lnm probe}: its lines, in the allowlist's order, and its exit codes. */
class ProbeCommandTest {
    @TempDir
    Path dir;

    private TlsEchoServer tls;

    private record Run(int exit, List<String> lines) {}

    @AfterEach
    void close() throws Exception {
        if (tls != null) {
            tls.close();
        }
    }

    private Path config(String allowlist) throws Exception {
        return TestConfig.write(dir, "level = 3\nlisten.https = 127.0.0.1:0\nsources = 10.0.0.0/8\n", allowlist, Map.of());
    }

    private Run probe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "probe";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), all);
        return new Run(code, out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private String[] withConfig(Path config, String... more) {
        List<String> a = new ArrayList<>(List.of("--config", config.toString(), "--truststore", TestPki.get().certPem.toString(),
                "--timeout", "2"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void everyNameAnsweringIsExitZeroWithOneLinePerName() throws Exception {
        tls = new TlsEchoServer();
        Path c = config("management.azure.com = 127.0.0.1:" + tls.port() + "\n*.azure-devices.net = 127.0.0.1:" + tls.port()
                + "\nallowed.example = 127.0.0.1:" + tls.port() + "\n");
        Run r = probe(withConfig(c));
        assertEquals(0, r.exit(), r.lines().toString());
        assertEquals(3, r.lines().size(), r.lines().toString());
        assertTrue(r.lines().get(0).matches("management\\.azure\\.com {2,}fixed 127\\.0\\.0\\.1:" + tls.port()
                + " {2,}ok {2,}TLS {2,}\\d+ms {2,}issuer=CN=management\\.azure\\.com"), r.lines().get(0));
        assertTrue(r.lines().get(1).matches("\\*\\.azure-devices\\.net {2,}- {2,}skipped {2,}POLICY {2,}0ms {2,}needs a sample name: .*"),
                r.lines().get(1));
        assertTrue(r.lines().get(2).matches("allowed\\.example {2,}fixed .* {2,}ok {2,}TLS .*"), r.lines().get(2));
    }

    @Test
    void aSampleNameStandsForItsWildcardAndANameRefusedHereFails() throws Exception {
        tls = new TlsEchoServer();
        Path c = config("*.azure-devices.net = 127.0.0.1:" + tls.port() + "\n");
        Run r = probe(withConfig(c, "MyHub.azure-devices.net.", "evil.example.org"));
        assertEquals(1, r.exit(), r.lines().toString());
        assertEquals(2, r.lines().size(), r.lines().toString());
        assertTrue(r.lines().get(0).matches("myhub\\.azure-devices\\.net {2,}fixed .* {2,}ok {2,}TLS .*"), r.lines().get(0));
        assertTrue(r.lines().get(1).matches("evil\\.example\\.org {2,}- {2,}failed {2,}POLICY {2,}0ms {2,}refused here \\(not_allowlisted\\)"),
                r.lines().get(1));
    }

    @Test
    void badUsageAndBadConfigAreExitTwo() throws Exception {
        Path c = config("management.azure.com = direct\n");
        assertEquals(2, probe().exit(), "no --config");
        assertEquals(2, probe("--config", c.toString(), "--parallel", "0").exit());
        assertEquals(2, probe("--config", c.toString(), "--parallel", "65").exit());
        assertEquals(2, probe("--config", c.toString(), "--timeout", "soon").exit());
        assertEquals(2, probe("--config", c.toString(), "--timeout", "0").exit());
        Run noTrust = probe("--config", c.toString(), "--truststore", dir.resolve("missing.pem").toString());
        assertEquals(2, noTrust.exit());
        assertTrue(noTrust.lines().get(0).contains("missing.pem: not a readable file"), noTrust.lines().toString());
        Files.writeString(dir.resolve("junk.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        Run junk = probe("--config", c.toString(), "--truststore", dir.resolve("junk.pem").toString());
        assertEquals(2, junk.exit(), junk.lines().toString());
        for (String bad : List.of("", "bad name!", "evil\nname", "a".repeat(300) + ".com", "a..b")) {
            Run r = probe("--config", c.toString(), bad);
            assertEquals(2, r.exit(), bad + ": " + r.lines());
            assertTrue(r.lines().get(0).startsWith("lnm: probe: '") && r.lines().get(0).contains("is not a host name"), r.lines().toString());
            assertEquals(1, r.lines().size(), "one line, whatever the name holds: " + r.lines());
        }
        Files.writeString(dir.resolve("allowlist.properties"), "not a name = direct\n");
        assertEquals(2, probe("--config", c.toString()).exit(), "a config that does not load");
        Files.writeString(dir.resolve("allowlist.properties"), "");
        Run empty = probe("--config", c.toString());
        assertEquals(2, empty.exit(), empty.lines().toString());
        assertTrue(empty.lines().get(0).contains("nothing to probe"), empty.lines().toString());
    }
}
