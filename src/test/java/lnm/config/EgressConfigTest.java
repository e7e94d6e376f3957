package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code egress.proxy}, {@code egress.proxy.credentials} and {@code egress.proxy.bypass}. */
class EgressConfigTest {
    private static final String ME = System.getProperty("user.name");
    private final ConfFs fs = ConfFs.posix();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void unsetMeansNoProxy() {
        Config c = fs.ok("", "listen.https = 443");
        assertEquals(List.of(), c.egressProxies());
        assertFalse(c.egressCredentials().isSet());
        assertNull(c.egressCredentials().basicToken());
        assertFalse(c.egressBypass().bypasses("anything.example.com"));
    }

    @Test
    void proxiesInOrderWithCredentialsAndBypass() throws IOException {
        secret("proxy.cred", "lnm-egress:p@ss:word with spaces\n");
        Config c = fs.ok("", "listen.https = 443", "egress.proxy = proxy-a.corp.example:3128, 10.9.0.2:8080 ,[fd00::9]:3128",
                "egress.proxy.credentials = proxy.cred", "egress.proxy.bypass = *.plant.local, historian.site, 10.0.0.0/8, fd00::/8");
        assertEquals(List.of(new HostPort("proxy-a.corp.example", 3128), new HostPort("10.9.0.2", 8080),
                new HostPort("fd00::9", 3128)), c.egressProxies());
        assertEquals(Base64.getEncoder().encodeToString("lnm-egress:p@ss:word with spaces".getBytes(StandardCharsets.UTF_8)),
                c.egressCredentials().basicToken());
        EgressBypass b = c.egressBypass();
        assertTrue(b.bypasses("opc.line1.plant.local"));
        assertTrue(b.bypasses("OPC.Plant.Local."));
        assertFalse(b.bypasses("plant.local"), "a wildcard never matches the suffix itself");
        assertFalse(b.bypasses("badplant.local"));
        assertTrue(b.bypasses("historian.site"));
        assertFalse(b.bypasses("x.historian.site"));
        assertTrue(b.bypasses("10.1.2.3"));
        assertTrue(b.bypasses("fd00::1"));
        assertFalse(b.bypasses("192.168.1.1"));
        assertFalse(b.bypasses("management.azure.com"));
    }

    @Test
    void printShowsThePathNeverTheContent() throws IOException {
        secret("proxy.cred", "lnm:TopSecret\n");
        Config c = fs.ok("", "listen.https = 443", "egress.proxy = proxy.corp:3128", "egress.proxy.credentials = proxy.cred");
        String print = String.join("\n", c.effectiveSettings());
        assertTrue(print.contains("egress.proxy = proxy.corp:3128"), print);
        assertTrue(print.contains("egress.proxy.credentials = proxy.cred"), print);
        assertFalse(print.contains("TopSecret"), print);
        assertFalse(print.contains(c.egressCredentials().basicToken()), print);
        assertEquals("proxy.cred", c.egressCredentials().toString());
    }

    @Test
    void aReloadReadsTheFileAgain() throws IOException {
        secret("proxy.cred", "lnm:first\n");
        String[] lines = {"listen.https = 443", "egress.proxy = proxy.corp:3128", "egress.proxy.credentials = proxy.cred"};
        String first = fs.ok("", lines).egressCredentials().basicToken();
        secret("proxy.cred", "lnm:second\n");
        String second = fs.ok("", lines).egressCredentials().basicToken();
        assertEquals(Base64.getEncoder().encodeToString("lnm:second".getBytes(StandardCharsets.US_ASCII)), second);
        assertFalse(first.equals(second));
    }

    @Test
    void aFileOthersMayReadIsRefused() throws IOException {
        Path f = secret("proxy.cred", "lnm:TopSecret\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        String m = problem("egress.proxy.credentials = proxy.cred");
        assertTrue(m.contains("may be read or written by others (rw-r-----)") && m.contains("chmod 600"), m);
        assertFalse(m.contains("TopSecret"), m);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-----w-"));
        assertTrue(problem("egress.proxy.credentials = proxy.cred").contains("by others"));
    }

    @Test
    void aFileOwnedByAnotherUserIsRefused() throws IOException {
        Path f = secret("proxy.cred", "lnm:TopSecret\n");
        Files.setOwner(f, fs.fs.getUserPrincipalLookupService().lookupPrincipalByName("mallory"));
        String m = problem("egress.proxy.credentials = proxy.cred");
        assertTrue(m.contains("is owned by mallory"), m);
    }

    @Test
    void aLinkAFolderAndAMissingFileAreRefused() throws IOException {
        secret("real.cred", "lnm:TopSecret\n");
        Files.createSymbolicLink(fs.dir.resolve("link.cred"), fs.dir.resolve("real.cred"));
        assertTrue(problem("egress.proxy.credentials = link.cred").contains("is not a regular file"));
        Files.createDirectories(fs.dir.resolve("folder.cred"));
        assertTrue(problem("egress.proxy.credentials = folder.cred").contains("is not a regular file"));
        assertTrue(problem("egress.proxy.credentials = missing.cred").contains("does not exist"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                          | is empty",
        "'\\n'                       | is empty",
        "'nocolon\\n'                | has no user before a colon",
        "':password\\n'              | has no user before a colon",
        "'lnm:a\\nother:b\\n'        | more than one line",
        "'lnm:a\\tb\\n'              | control character",
        "'lnm:a\\rb'                 | more than one line",
    })
    void badContentIsRefusedWithoutQuotingIt(String content, String why) throws IOException {
        secret("proxy.cred", content.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r"));
        String m = problem("egress.proxy.credentials = proxy.cred");
        assertTrue(m.contains(why), m);
        assertFalse(m.contains("lnm:a"), m);
    }

    @Test
    void aHugeFileIsRefused() throws IOException {
        secret("proxy.cred", "lnm:" + "x".repeat(5000) + "\n");
        assertTrue(problem("egress.proxy.credentials = proxy.cred").contains("longer than 1024 bytes"));
    }

    @Test
    void crlfEndingIsAccepted() throws IOException {
        secret("proxy.cred", "lnm:pw\r\n");
        Config c = fs.ok("", "listen.https = 443", "egress.proxy = proxy.corp:3128", "egress.proxy.credentials = proxy.cred");
        assertEquals(Base64.getEncoder().encodeToString("lnm:pw".getBytes(StandardCharsets.US_ASCII)), c.egressCredentials().basicToken());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "egress.proxy = proxy.corp                                | has no port",
        "egress.proxy = proxy.corp:3128, proxy.corp:3128          | is listed twice",
        "egress.proxy = proxy.corp:3128,                          | empty entry",
        "egress.proxy = proxy.corp:99999                          | out of range",
        "egress.proxy = bad_host!:3128                            | not a valid host name",
        "egress.proxy.bypass = *                                  | '*' alone",
        "egress.proxy.bypass = 10.0.0.1/8                         | 10.0.0.1/8",
        "egress.proxy.bypass = a.example,,b.example               | empty entry",
    })
    void badValuesAreRefused(String line, String why) {
        String m = problem(line.startsWith("egress.proxy =") ? null : "egress.proxy = proxy.corp:3128", line);
        assertTrue(m.contains(why), m);
    }

    @Test
    void atMostSixteenProxies() {
        StringBuilder b = new StringBuilder("egress.proxy = ");
        for (int i = 1; i <= 17; i++) {
            b.append(i > 1 ? ", " : "").append("10.9.0.").append(i).append(":3128");
        }
        assertTrue(problem(null, b.toString()).contains("more than 16 proxies"));
    }

    @Test
    void credentialsOrBypassWithoutAProxyAndAProxyWithAParentAreProblems() throws IOException {
        secret("proxy.cred", "lnm:pw\n");
        assertTrue(problem(null, "egress.proxy.credentials = proxy.cred").contains("egress.proxy is not"));
        assertTrue(problem(null, "egress.proxy.bypass = *.plant.local").contains("egress.proxy is not"));
        assertTrue(problem("egress.proxy = proxy.corp:3128", "parent = 10.4.0.10").contains("only the top level"));
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A file in the config folder as an operator should leave it: 600, owned by the user running lnm. */
    private Path secret(String name, String content) throws IOException {
        Path f = fs.write(name, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.setOwner(f, fs.fs.getUserPrincipalLookupService().lookupPrincipalByName(ME));
        return f;
    }

    /** The one problem of a config with a proxy (unless {@code proxyLine} is null) and {@code line}. */
    private String problem(String line) {
        return problem("egress.proxy = proxy.corp:3128", line);
    }

    private String problem(String proxyLine, String line) {
        LoadResult r = proxyLine == null ? fs.load("", "listen.https = 443", line) : fs.load("", "listen.https = 443", proxyLine, line);
        assertFalse(r.ok(), "expected a problem with " + line);
        assertEquals(1, r.problems().size(), ConfFs.lines(r));
        return r.problems().get(0).toString();
    }
}
