package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Legal but dangerous settings: warnings as {@code FILE:LINE: warning: ...}, not problems. */
class WarningsTest {
    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    /** The warnings of a config that must load, as printed. */
    private List<String> warnings(String allowlist, String... lnm) {
        LoadResult r = fs.load(allowlist, lnm);
        assertTrue(r.ok(), r.problems().toString());
        return r.warnings().stream().map(Problem::toString).toList();
    }

    private static final String[] QUIET = {"listen.https = 127.0.0.1:443", "allowlist = allowlist.properties"};

    @Test
    void wildcardAtAPublicSuffix() {
        List<String> w = warnings("ok.example.com = direct\n*.com = direct\n# a comment\n*.co.uk =\n*.example.co.uk = direct\n", QUIET);
        assertEquals(2, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("/etc/lnm/allowlist.properties:2: warning: '*.com' allows every name under the public suffix 'com'"), w.get(0));
        assertTrue(w.get(1).startsWith("/etc/lnm/allowlist.properties:4: warning: '*.co.uk' allows every name under the public suffix 'co.uk'"), w.get(1));
    }

    @Test
    void wildcardOverATenantNamespaceAdvisesTheOwnNames() {
        List<String> w = warnings(String.join("\n", "*.blob.core.windows.net =", "*.azurecr.io = direct",
                "*.servicebus.windows.net =", "*.vault.azure.net =", "*.core.windows.net = direct",
                "*.his.arc.azure.com =", "myplant.blob.core.windows.net =", ""), QUIET);
        assertEquals(5, w.size(), w.toString());
        assertTrue(w.get(0).matches("/etc/lnm/allowlist.properties:1: warning: '\\*\\.blob\\.core\\.windows\\.net' allows every "
                + "storage account in blob\\.core\\.windows\\.net, and anyone can create one \\(such as "
                + "exfil-attacker\\.blob\\.core\\.windows\\.net\\).*list the plant's own storage account names instead.*"), w.get(0));
        assertTrue(w.get(1).contains(":2: warning: '*.azurecr.io' allows every container registry"), w.get(1));
        assertTrue(w.get(2).contains(":3: warning: '*.servicebus.windows.net' allows every Service Bus"), w.get(2));
        assertTrue(w.get(3).contains(":4: warning: '*.vault.azure.net' allows every key vault"), w.get(3));
        // a wildcard above tenant namespaces names them
        assertTrue(w.get(4).contains(":5: warning: '*.core.windows.net' allows every name in blob.core.windows.net, file.core.windows.net"), w.get(4));
    }

    @Test
    void aFixedTargetWildcardIsNoPathOut() {
        assertEquals(List.of(), warnings("*.com = 10.3.0.20:443\n*.blob.core.windows.net = 10.3.0.21\n", QUIET));
    }

    @Test
    void wildcardListenerWithoutSources() {
        List<String> w = warnings("", "level = 4", "listen.https = 0.0.0.0:443", "listen.local = 127.0.0.1:8443",
                "listen.v6 = [::]:8883", "allowlist = allowlist.properties");
        assertEquals(2, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("/etc/lnm/lnm.properties:2: warning: listener 'https' binds 0.0.0.0:443 (every address"), w.get(0));
        assertTrue(w.get(0).contains("'sources' is not set"), w.get(0));
        assertTrue(w.get(1).startsWith("/etc/lnm/lnm.properties:4: warning: listener 'v6' binds"), w.get(1));
        assertEquals(List.of(), warnings("", "listen.https = 0.0.0.0:443", "sources = 10.3.0.0/16", "allowlist = allowlist.properties"));
    }

    @Test
    void proxyProtocolTrustedFromMoreThanSingleAddresses() {
        List<String> w = warnings("", "listen.https = 127.0.0.1:443", "listen.https.acceptProxyProtocol = 10.3.0.7, 10.2.0.0/24",
                "listen.mqtts = 127.0.0.1:8883", "listen.mqtts.acceptProxyProtocol = 10.3.0.7, fd00::7",
                "listen.web = 127.0.0.1:8080", "listen.web.acceptProxyProtocol = any", "allowlist = allowlist.properties");
        assertEquals(2, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("/etc/lnm/lnm.properties:2: warning: 'listen.https.acceptProxyProtocol' trusts 10.2.0.0/24: "
                + "any host there can forge the origin"), w.get(0));
        assertTrue(w.get(1).startsWith("/etc/lnm/lnm.properties:6: warning: 'listen.web.acceptProxyProtocol' trusts any:"), w.get(1));
    }

    @Test
    void theOldDirectKeyIsReadAsTheNewOneWithAWarning() {
        LoadResult r = fs.load("", "listen.https = 127.0.0.1:443", "direct.allowPrivate = true", "allowlist = allowlist.properties");
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(CidrSet.any(), r.config().directAllowSpecial());
        assertTrue(r.config().isSet(Key.DIRECT_ALLOW_SPECIAL));
        assertEquals(List.of("/etc/lnm/lnm.properties:2: warning: 'direct.allowPrivate' is replaced by 'direct.allowSpecialAddresses' "
                + "(it never governed private (RFC 1918) ranges, which are always allowed); read as "
                + "'direct.allowSpecialAddresses = any'"), r.warnings().stream().map(Problem::toString).toList());
        LoadResult off = fs.load("", "listen.https = 127.0.0.1:443", "direct.allowPrivate = false", "allowlist = allowlist.properties");
        assertEquals(CidrSet.none(), off.config().directAllowSpecial());
        assertEquals(1, off.warnings().size());
        // --print shows the new key only
        assertTrue(r.config().effectiveSettings().contains("direct.allowSpecialAddresses = any"), r.config().effectiveSettings().toString());
        assertTrue(r.config().effectiveSettings().stream().noneMatch(l -> l.startsWith("direct.allowPrivate")));
    }

    @Test
    void bothDirectKeysIsAProblem() {
        LoadResult r = fs.load("", "listen.https = 127.0.0.1:443", "direct.allowPrivate = true",
                "direct.allowSpecialAddresses = 100.64.0.0/10", "allowlist = allowlist.properties");
        assertEquals(List.of("/etc/lnm/lnm.properties:2: 'direct.allowPrivate' is replaced by 'direct.allowSpecialAddresses', "
                + "which is set too; remove 'direct.allowPrivate'"), r.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void theShippedConfigWarnsAboutTenantWildcardsAndOpenListenersOnly() throws Exception {
        java.nio.file.Path conf = java.nio.file.Path.of("conf");
        fs.write("lnm.properties", java.nio.file.Files.readString(conf.resolve("lnm.properties")));
        fs.write("allowlist.properties", java.nio.file.Files.readString(conf.resolve("allowlist.properties")));
        LoadResult r = Config.load(fs.dir.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        for (Problem p : r.warnings()) { // tenant wildcards, and listeners on 0.0.0.0 without sources
            assertTrue(p.file().endsWith("allowlist.properties") ? p.message().contains("anyone can create one")
                    : p.message().contains("'sources' is not set"), p.toString());
        }
        assertTrue(r.warnings().size() >= 5, r.warnings().toString());
    }
}
