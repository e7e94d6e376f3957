package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error names FILE:LINE, the key, and what is allowed; all problems are collected. */
class ConfigErrorsTest {
    private static final String F = "/etc/lnm/lnm.properties:";
    private static final String A = "/etc/lnm/allowlist.properties:";

    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    /** Problems of a config whose line 1 is a valid listener, so only the given lines are wrong. */
    private List<String> problems(String... lines) {
        String[] all = new String[lines.length + 1];
        all[0] = "listen.https = 443";
        System.arraycopy(lines, 0, all, 1, lines.length);
        LoadResult r = fs.load("", all);
        assertFalse(r.ok(), "expected problems");
        assertNull(r.config());
        return ConfFs.messages(r);
    }

    @Test
    void problemToString() {
        assertEquals("/x/lnm.properties:3: bad", new Problem(Path.of("/x/lnm.properties"), 3, "bad").toString());
        assertEquals("/x/lnm.properties: bad", new Problem(Path.of("/x/lnm.properties"), 0, "bad").toString());
    }

    @Test
    void unknownKeysSuggestTheNearestKnownKey() {
        assertEquals(List.of(
                F + "2: unknown key 'listen.https.mdoe'; did you mean 'listen.https.mode'?",
                F + "3: unknown key 'levle'; did you mean 'level'?",
                F + "4: unknown key 'timeout.helloSeconds'; did you mean 'timeouts.helloSeconds'?",
                F + "5: unknown key 'audit.maxbytes'; did you mean 'audit.maxBytes'?",
                F + "6: unknown key 'listen.https.targte'; did you mean 'listen.https.target'?",
                F + "7: unknown key 'lisen.https'; did you mean 'listen.https'?",
                F + "8: unknown key 'listen.https.acceptProxyProtocl'; did you mean 'listen.https.acceptProxyProtocol'?",
                F + "9: unknown key 'parent.proxyprotocol'; did you mean 'parent.proxyProtocol'?",
                F + "10: unknown key 'source'; did you mean 'sources'?",
                F + "11: unknown key 'foo.bar'",
                F + "12: unknown key 'listen.https.wallpaper'",
                F + "13: unknown key 'listen'"),
                problems("listen.https.mdoe = tls", "levle = 3", "timeout.helloSeconds = 5", "audit.maxbytes = 1MB",
                        "listen.https.targte = x:1", "lisen.https = 443", "listen.https.acceptProxyProtocl = any",
                        "parent.proxyprotocol = v2", "source = any", "foo.bar = 1", "listen.https.wallpaper = red", "listen = 443"));
    }

    @Test
    void didYouMeanDistance() {
        assertEquals(1, DidYouMean.distance("mdoe", "mode"));
        assertEquals(1, DidYouMean.distance("levle", "level"));
        assertEquals(1, DidYouMean.distance("level", "levels"));
        assertEquals(3, DidYouMean.distance("kitten", "sitting"));
        assertEquals(0, DidYouMean.distance("", ""));
        assertEquals(4, DidYouMean.distance("", "mode"));
        assertNull(DidYouMean.suggest("xyz", List.of("level", "parent")));
        assertEquals("level", DidYouMean.suggest("LEVEL", List.of("parent", "level")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "level = 7| bad value '7' for 'level': out of range; expected an integer from 0 to 5 (the Purdue level of this box)",
        "level = four| bad value 'four' for 'level': not a whole number; expected an integer from 0 to 5",
        "level = -1| bad value '-1' for 'level': not a whole number",
        "level =| missing value for 'level'; expected an integer from 0 to 5",
        "parent = proxy l4:3128| bad value 'proxy l4:3128' for 'parent': 'proxy l4' is not a valid host name (character ' ' is not allowed; use letters, digits, '-' and '_'); expected host[:port]",
        "parent = 10.4.0.10:0| bad value '10.4.0.10:0' for 'parent': port 0 is out of range 1-65535; expected host[:port]",
        "parent.proxyProtocol = v1| bad value 'v1' for 'parent.proxyProtocol': unknown PROXY protocol version; expected v2 or none",
        "allowlist =| missing value for 'allowlist'; expected a file path",
        "sources = 10.3.0.1/16| bad value '10.3.0.1/16' for 'sources': bad CIDR '10.3.0.1/16': host bits are set; did you mean 10.3.0.0/16?; expected comma-separated CIDRs",
        "sources =| missing value for 'sources'; expected comma-separated CIDRs",
        "audit.file =| missing value for 'audit.file'; expected a file path relative to this file's folder, or - for stdout",
        "audit.maxBytes = 5 PB| bad value '5 PB' for 'audit.maxBytes': unknown unit 'PB'; expected a size from 1KiB to 1TiB",
        "audit.maxBytes = 100| bad value '100' for 'audit.maxBytes': out of range; expected a size from 1KiB to 1TiB",
        "audit.maxBytes = 2TiB| bad value '2TiB' for 'audit.maxBytes': out of range",
        "audit.maxBytes = lots| bad value 'lots' for 'audit.maxBytes': not a size",
        "audit.keep = 1001| bad value '1001' for 'audit.keep': out of range; expected an integer from 0 to 1000",
        "admin.listen = 127.0.0.1:http| bad value '127.0.0.1:http' for 'admin.listen': port 'http' is not a number 1-65535; expected [address:]port (address an IP literal, default 127.0.0.1), or off",
        "admin.listen = admin.local:9090| bad value 'admin.local:9090' for 'admin.listen': 'admin.local' is not an IP address",
        "admin.listen = ::1:9090| bad value '::1:9090' for 'admin.listen': put IPv6 addresses in brackets, as in [::1]:9090",
        "admin.listen = [::1]| bad value '[::1]' for 'admin.listen': expected [ipv6]:port",
        "timeouts.helloSeconds = 0| bad value '0' for 'timeouts.helloSeconds': out of range; expected seconds from 0.001 to 300, decimals allowed (0.5)",
        "timeouts.helloSeconds = 10s| bad value '10s' for 'timeouts.helloSeconds': not a number of seconds",
        "timeouts.connectSeconds = 301| bad value '301' for 'timeouts.connectSeconds': out of range",
        "timeouts.idleSeconds = -1| bad value '-1' for 'timeouts.idleSeconds': not a number of seconds; expected seconds from 0.001 to 604800",
        "timeouts.idleSeconds = 0.0001| bad value '0.0001' for 'timeouts.idleSeconds': not a number of seconds",
        "limits.helloMaxBytes = 512| bad value '512' for 'limits.helloMaxBytes': out of range; expected a size from 1024 to 1048576 bytes",
        "limits.helloMaxBytes = 2MiB| bad value '2MiB' for 'limits.helloMaxBytes': out of range",
        "limits.maxConnections = 0| bad value '0' for 'limits.maxConnections': out of range; expected an integer from 1 to 1000000",
        "limits.perSourceConnections = 1,000| bad value '1,000' for 'limits.perSourceConnections': not a whole number",
        "limits.ipv6PrefixLength = 0| bad value '0' for 'limits.ipv6PrefixLength': out of range; expected an integer from 1 to 128",
        "limits.ipv6PrefixLength = 129| bad value '129' for 'limits.ipv6PrefixLength': out of range",
        "limits.ipv6PrefixLength = /64| bad value '/64' for 'limits.ipv6PrefixLength': not a whole number",
        "loop.threads = 65| bad value '65' for 'loop.threads': out of range; expected an integer from 1 to 64, or auto",
        "dns.cacheSeconds = 1e3| bad value '1e3' for 'dns.cacheSeconds': not a whole number; expected an integer from 0 to 86400",
        "direct.allowPrivate = yes| bad value 'yes' for 'direct.allowPrivate': not true or false; expected true or false (replaced by direct.allowSpecialAddresses)",
        "shutdown.drainSeconds = 3601| bad value '3601' for 'shutdown.drainSeconds': out of range; expected seconds from 0 to 3600",
        "listen.https.mode = udp| bad value 'udp' for 'listen.https.mode': unknown mode 'udp'; expected tls, tcp or http",
        "listen.https.acceptProxyProtocol = 10.2.0.0/33| bad value '10.2.0.0/33' for 'listen.https.acceptProxyProtocol': bad CIDR '10.2.0.0/33': prefix length must be 0-32; expected CIDRs",
    })
    void badValueNamesFileLineKeyAndWhatIsAllowed(String line, String expected) {
        List<String> p = problems("# a comment", line);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(F + "3: " + expected), p.get(0) + "\n  should start with\n" + F + "3: " + expected);
    }

    @Test
    void everyGlobalKeyRejectsBadValuesWithItsName() {
        for (Key<?> k : Key.GLOBALS) {
            if (k == Key.FLEET_DIR || k == Key.FLEET_KEY || k == Key.FLEET_BOX_KEY || k == Key.EGRESS_PROXY_CREDENTIALS) {
                continue; // a path, or empty for none: no value is bad on its own (FleetConfigTest, EgressConfigTest check them)
            }
            boolean path = k == Key.ALLOWLIST || k == Key.AUDIT_FILE || k == Key.FLEET_STATE; // any non-empty text is a path
            List<String> p = problems(k.name() + (path ? " =" : " = @@ garbage"));
            assertEquals(1, p.size(), k.name() + ": " + p);
            String start = path ? "missing value for '" + k.name() + "'" : "bad value '@@ garbage' for '" + k.name() + "'";
            assertTrue(p.get(0).startsWith(F + "2: " + start), p.get(0));
            assertTrue(p.get(0).endsWith("; expected " + k.allowed()), p.get(0));
        }
    }

    @Test
    void everyKeyDefaultIsValid() {
        for (Key<?> k : Key.GLOBALS) {
            assertEquals(k.format(k.defaultValue()), k.format(k.parse(k.name(), k.format(k.defaultValue()))), k.name());
        }
    }

    @Test
    void duplicateKeyNamesTheFirstLine() {
        assertEquals(List.of(F + "4: duplicate key 'level' (first set on line 2)", F + "5: duplicate key 'listen.https' (first set on line 1)"),
                problems("level = 3", "# c", "level = 4", "listen.https = 8443"));
    }

    @Test
    void errorInContinuedEntryNamesItsFirstLine() {
        assertEquals(List.of(F + "3: bad value '10.3.0.0/16, 10.2.0.0.0/16' for 'sources': bad CIDR '10.2.0.0.0/16': "
                        + "'10.2.0.0.0' is not an IPv4 or IPv6 address; expected comma-separated CIDRs or addresses "
                        + "(10.3.0.0/16, fd00::/8, 10.2.0.7), or any",
                        F + "5: unknown key 'levelx'; did you mean 'level'?"),
                problems("level = 3", "sources = 10.3.0.0/16, \\", "          10.2.0.0.0/16", "level\\", "  x = 1"));
    }

    @Test
    void listenerProblems() {
        LoadResult r = fs.load("", 
                "listen.https = 0.0.0.0:443",
                "listen.HTTPS = 443",
                "listen.mqtts = 0.0.0.0:88833",
                "listen.api = gateway.local:443",
                "listen.dup = 443",
                "listen.v6 = ::1:443",
                "listen.opcua = 4840",
                "listen.opcua.mode = tcp",
                "listen.raw = 4841",
                "listen.raw.target = 10.0.0.1:1",
                "listen.ghost.mode = tcp",
                "listen.lo = 127.0.0.1:443",
                "listen.a.b = 1",
                "listen. = 1",
                "listen.t = 4850",
                "listen.t.mode = tcp",
                "listen.t.target = bad target");
        assertEquals(List.of(
                F + "2: bad listener name 'HTTPS' in key 'listen.HTTPS'; names use lowercase letters, digits, '-' and '_'",
                F + "3: bad value '0.0.0.0:88833' for 'listen.mqtts': port 88833 is out of range 1-65535; expected [address:]port, "
                        + "address an IP literal (default 0.0.0.0) or an interface name, port 1-65535",
                F + "4: bad value 'gateway.local:443' for 'listen.api': 'gateway.local' is not an IP address; expected [address:]port, "
                        + "address an IP literal (default 0.0.0.0) or an interface name, port 1-65535",
                F + "5: listener 'dup' binds 0.0.0.0:443, which clashes with listener 'https' (0.0.0.0:443, line 1)",
                F + "6: bad value '::1:443' for 'listen.v6': put IPv6 addresses in brackets, as in [::1]:9090; expected [address:]port, "
                        + "address an IP literal (default 0.0.0.0) or an interface name, port 1-65535",
                F + "8: listener 'opcua' has mode tcp but no target; add 'listen.opcua.target = host:port'",
                F + "10: 'listen.raw.target' is only used with mode tcp, but listener 'raw' has mode tls; "
                        + "add 'listen.raw.mode = tcp' or remove the target",
                F + "11: 'listen.ghost.mode' is set but listener 'ghost' has no address; add 'listen.ghost = [address:]port'",
                F + "12: listener 'lo' binds 127.0.0.1:443, which clashes with listener 'https' (0.0.0.0:443, line 1)",
                F + "13: unknown key 'listen.a.b'; did you mean 'listen.a'?",
                F + "14: bad listener name '' in key 'listen.'; names use lowercase letters, digits, '-' and '_'",
                F + "17: bad value 'bad target' for 'listen.t.target': 'bad target' is not a valid host name (character ' ' is "
                        + "not allowed; use letters, digits, '-' and '_'); expected host[:port] (used by mode tcp; port defaults to "
                        + "the listener's)"),
                ConfFs.messages(r));
    }

    @Test
    void ipv6WildcardAndSpecificClash() {
        assertEquals(List.of(F + "2: listener 'b' binds [::1]:443, which clashes with listener 'a' ([::]:443, line 1)"),
                ConfFs.messages(fs.load("", "listen.a = [::]:443", "listen.b = [::1]:443")));
        assertTrue(fs.load("", "listen.a = [::]:443", "listen.b = 0.0.0.0:443").ok(), "different families bind separately");
    }

    @Test
    void adminListenClashes() {
        assertEquals(List.of(F + "2: admin.listen 0.0.0.0:443 clashes with listener 'https' (0.0.0.0:443); "
                        + "set admin.listen to another port or off"),
                ConfFs.messages(fs.load("", "listen.https = 443", "admin.listen = 0.0.0.0:443")));
        assertEquals(List.of(F + "1: admin.listen 127.0.0.1:9090 (the default) clashes with listener 'admin' (0.0.0.0:9090); "
                        + "set admin.listen to another port or off"),
                ConfFs.messages(fs.load("", "listen.admin = 9090")));
        assertTrue(fs.load("", "listen.admin = 9090", "admin.listen = off").ok());
    }

    @Test
    void noListeners() {
        assertEquals(List.of("/etc/lnm/lnm.properties: no listeners; add at least one 'listen.<name> = [address:]port', "
                + "such as 'listen.https = 0.0.0.0:443'"), ConfFs.messages(fs.load("", "level = 3")));
    }

    @Test
    void missingFiles() {
        assertEquals(List.of("/etc/lnm/none.properties: cannot read: no such file"),
                ConfFs.messages(Config.load(fs.dir.resolve("none.properties"))));
        assertEquals(List.of("/etc/lnm/missing.properties: cannot read: no such file"),
                ConfFs.messages(fs.load("", "listen.a = 443", "allowlist = missing.properties")));
    }

    @Test
    void designAllowlistWithoutParentIsReportedWithFileAndLine() {
        fs.write("allowlist.properties", ConfFs.DESIGN_ALLOWLIST);
        LoadResult r = Config.load(fs.write("lnm.properties", ConfFs.DESIGN_LNM.replace("parent = 10.4.0.10\n", "")));
        assertEquals(List.of(A + "4: '*.his.arc.azure.com' goes to parent, but no parent is set in lnm.properties; "
                + "set 'parent = host[:port]' or use direct"), ConfFs.messages(r));
    }

    @Test
    void emptyParentMeansNoParent() {
        assertEquals(List.of(A + "1: 'a.example.com' goes to parent, but no parent is set in lnm.properties; "
                        + "set 'parent = host[:port]' or use direct"),
                ConfFs.messages(fs.load("a.example.com = parent\n", "listen.a = 443", "parent =")));
    }

    @Test
    void badParentDoesNotAlsoBlameParentRules() {
        assertEquals(1, fs.load("a.example.com = parent\n", "listen.a = 443", "parent = bad host").problems().size());
    }

    @Test
    void collectsEverythingSortedMainFileFirst() {
        LoadResult r = fs.load("* = direct\nok.example.com = parent\nok.example.com = direct\n",
                "level = 9", "listen.a = 443", "levle = 1", "level = 2", "sources = 300.0.0.0/8");
        assertEquals(List.of(
                F + "1: bad value '9' for 'level': out of range; expected an integer from 0 to 5 (the Purdue level of this box)",
                F + "3: unknown key 'levle'; did you mean 'level'?",
                F + "4: duplicate key 'level' (first set on line 1)",
                F + "5: bad value '300.0.0.0/8' for 'sources': bad CIDR '300.0.0.0/8': '300.0.0.0' is not an IPv4 or IPv6 address; "
                        + "expected comma-separated CIDRs or addresses (10.3.0.0/16, fd00::/8, 10.2.0.7), or any",
                A + "1: bad pattern: '*' alone would allow every name; use '*.example.com'",
                A + "2: 'ok.example.com' goes to parent, but no parent is set in lnm.properties; set 'parent = host[:port]' or use direct",
                A + "3: duplicate pattern 'ok.example.com' (lines 2 and 3)"), ConfFs.messages(r));
    }

    @Test
    void malformedEscapeIsReportedAndOtherLinesStillChecked() {
        assertEquals(List.of(F + "2: malformed \\uXXXX escape: expected 4 hex digits after \\u in 'level = \\u00'",
                        F + "3: unknown key 'levl'; did you mean 'level'?"),
                problems("level = \\u00", "levl = 1"));
    }
}
