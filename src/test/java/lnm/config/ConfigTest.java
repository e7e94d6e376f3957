package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading valid configs: the documented examples, defaults, every setting, paths, printing. */
class ConfigTest {
    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    static InetSocketAddress sock(String ip, int port) {
        return new InetSocketAddress(IpLiteral.toInet(IpLiteral.parse(ip)), port);
    }

    private Config design() {
        fs.write("allowlist.properties", ConfFs.DESIGN_ALLOWLIST);
        LoadResult r = Config.load(fs.write("lnm.properties", ConfFs.DESIGN_LNM));
        assertTrue(r.ok(), () -> ConfFs.lines(r));
        return r.config();
    }

    @Test
    void designExamplesLoad() {
        Config c = design();
        assertEquals(fs.dir.resolve("lnm.properties"), c.file());
        assertEquals(fs.dir.resolve("allowlist.properties"), c.allowlistFile());
        assertEquals(4, c.level());
        assertEquals(List.of(
                new ListenerSpec("https", sock("0.0.0.0", 443), Mode.TLS, null, CidrSet.none()),
                new ListenerSpec("mqtts", sock("0.0.0.0", 8883), Mode.TLS, null, CidrSet.none()),
                new ListenerSpec("opcua", sock("0.0.0.0", 4840), Mode.TCP, new HostPort("10.3.0.15", 4840), CidrSet.none())),
                c.listeners());
        assertEquals(Optional.of(new HostPort("10.4.0.10", -1)), c.parent());
        assertFalse(c.parentProxyProtocol());
        assertEquals("10.3.0.0/16, 10.2.0.0/16", c.sources().toString());
        assertEquals(fs.dir.resolve("audit.jsonl"), c.auditFile());
        assertEquals(Optional.of(sock("127.0.0.1", 9090)), c.adminListen());
        assertEquals(4, c.allowlist().size());
        assertEquals("*.his.arc.azure.com", c.allowlist().match("x.his.arc.azure.com").orElseThrow().pattern());
        assertEquals(Optional.of(c.listeners().get(2)), c.listener("opcua"));
        assertEquals(Optional.empty(), c.listener("nope"));
    }

    @Test
    void defaults() {
        Config c = fs.ok("", "listen.https = 443");
        assertEquals(4, c.level());
        assertEquals(List.of(new ListenerSpec("https", sock("0.0.0.0", 443), Mode.TLS, null, CidrSet.none())), c.listeners());
        assertEquals(Optional.empty(), c.parent());
        assertFalse(c.parentProxyProtocol());
        assertEquals(fs.dir.resolve("allowlist.properties"), c.allowlistFile());
        assertTrue(c.sources().isAny());
        assertEquals(fs.dir.resolve("audit.jsonl"), c.auditFile());
        assertEquals(100L * 1024 * 1024, c.auditMaxBytes());
        assertEquals(5, c.auditKeep());
        assertEquals(Optional.of(sock("127.0.0.1", 9090)), c.adminListen());
        assertEquals(10_000, c.helloTimeoutMillis());
        assertEquals(10_000, c.connectTimeoutMillis());
        assertEquals(600_000, c.idleTimeoutMillis());
        assertEquals(65536, c.maxHelloBytes());
        assertEquals(20000, c.maxConnections());
        assertEquals(1000, c.perSourceConnections());
        assertEquals(Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors())), c.loopThreads());
        assertEquals(60, c.dnsCacheSeconds());
        assertEquals(CidrSet.none(), c.directAllowSpecial());
        assertEquals(30_000, c.drainMillis());
        assertEquals(0, c.allowlist().size());
        assertFalse(c.isSet(Key.LEVEL));
    }

    @Test
    void everySettingNonDefault() {
        fs.write("lists/arc.properties", "*.arc.azure.com = parent\n");
        Config c = fs.ok("", 
                "level = 3",
                "listen.https = [::]:443",
                "listen.https.acceptProxyProtocol = 10.2.0.0/16, fd00::/8",
                "listen.web = 127.0.0.1:8080",
                "listen.web.mode = HTTP",
                "listen.db = 5432",
                "listen.db.mode = tcp",
                "listen.db.target = db.plant.local",
                "parent = [fd00::10]:8443",
                "parent.proxyProtocol = v2",
                "allowlist = lists/arc.properties",
                "sources = any",
                "audit.file = -",
                "audit.maxBytes = 10MB",
                "audit.keep = 0",
                "admin.listen = off",
                "timeouts.helloSeconds = 0.5",
                "timeouts.connectSeconds = 2.25",
                "timeouts.idleSeconds = 3600",
                "limits.helloMaxBytes = 16KiB",
                "limits.maxConnections = 100",
                "limits.perSourceConnections = 7",
                "loop.threads = 3",
                "dns.cacheSeconds = 0",
                "direct.allowSpecialAddresses = 100.64.0.0/10, fd00::/8",
                "shutdown.drainSeconds = 0");
        assertEquals(3, c.level());
        assertEquals(List.of(
                new ListenerSpec("https", sock("::", 443), Mode.TLS, null, CidrSet.parse("10.2.0.0/16, fd00::/8")),
                new ListenerSpec("web", sock("127.0.0.1", 8080), Mode.HTTP, null, CidrSet.none()),
                new ListenerSpec("db", sock("0.0.0.0", 5432), Mode.TCP, new HostPort("db.plant.local", 5432), CidrSet.none())),
                c.listeners());
        assertEquals(Optional.of(new HostPort("fd00::10", 8443)), c.parent());
        assertTrue(c.parentProxyProtocol());
        assertEquals(fs.dir.resolve("lists/arc.properties"), c.allowlistFile());
        assertEquals(1, c.allowlist().size());
        assertTrue(c.sources().isAny());
        assertEquals(Path.of("-"), c.auditFile());
        assertEquals(10_000_000L, c.auditMaxBytes());
        assertEquals(0, c.auditKeep());
        assertEquals(Optional.empty(), c.adminListen());
        assertEquals(500, c.helloTimeoutMillis());
        assertEquals(2250, c.connectTimeoutMillis());
        assertEquals(3_600_000, c.idleTimeoutMillis());
        assertEquals(16384, c.maxHelloBytes());
        assertEquals(100, c.maxConnections());
        assertEquals(7, c.perSourceConnections());
        assertEquals(3, c.loopThreads());
        assertEquals(0, c.dnsCacheSeconds());
        assertEquals(CidrSet.parse("100.64.0.0/10, fd00::/8"), c.directAllowSpecial());
        assertEquals(0, c.drainMillis());
        assertTrue(c.isSet(Key.LEVEL));
    }

    @Test
    void adminListenForms() {
        assertEquals(Optional.of(sock("127.0.0.1", 9091)), fs.ok("", "listen.a = 443", "admin.listen = 9091").adminListen());
        assertEquals(Optional.of(sock("0.0.0.0", 9090)), fs.ok("", "listen.a = 443", "admin.listen = 0.0.0.0:9090").adminListen());
        assertEquals(Optional.of(sock("::1", 9090)), fs.ok("", "listen.a = 443", "admin.listen = [::1]:9090").adminListen());
        assertEquals(Optional.of(sock("127.0.0.1", 9000)), fs.ok("", "listen.a = 443", "admin.listen = localhost:9000").adminListen());
        assertEquals(Optional.empty(), fs.ok("", "listen.a = 443", "admin.listen = OFF").adminListen());
    }

    @Test
    void sizesAndSeconds() {
        assertEquals(512 * 1024, fs.ok("", "listen.a = 443", "audit.maxBytes = 512KiB").auditMaxBytes());
        assertEquals(512 * 1024, fs.ok("", "listen.a = 443", "audit.maxBytes = 512 kib").auditMaxBytes());
        assertEquals(1_500_000, fs.ok("", "listen.a = 443", "audit.maxBytes = 1.5MB").auditMaxBytes());
        assertEquals(1L << 30, fs.ok("", "listen.a = 443", "audit.maxBytes = 1G").auditMaxBytes());
        assertEquals(4096, fs.ok("", "listen.a = 443", "audit.maxBytes = 4096").auditMaxBytes());
        assertEquals(1024, fs.ok("", "listen.a = 443", "limits.helloMaxBytes = 1024").maxHelloBytes());
        assertEquals(1048576, fs.ok("", "listen.a = 443", "limits.helloMaxBytes = 1MiB").maxHelloBytes());
        assertEquals(250, fs.ok("", "listen.a = 443", "timeouts.helloSeconds = .25").helloTimeoutMillis());
        assertEquals(1, fs.ok("", "listen.a = 443", "timeouts.helloSeconds = 0.001").helloTimeoutMillis());
        assertEquals(1500, fs.ok("", "listen.a = 443", "shutdown.drainSeconds = 1.5").drainMillis());
    }

    @Test
    void loopThreadsAuto() {
        assertEquals(Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors())),
                fs.ok("", "listen.a = 443", "loop.threads = auto").loopThreads());
        assertEquals(64, fs.ok("", "listen.a = 443", "loop.threads = 64").loopThreads());
    }

    @Test
    void tcpTargetPortDefaultsToListenerPort() {
        Config c = fs.ok("", "listen.opcua = 4840", "listen.opcua.mode = tcp", "listen.opcua.target = 10.3.0.15");
        assertEquals(new HostPort("10.3.0.15", 4840), c.listeners().get(0).target());
    }

    @Test
    void differentAddressesSamePortAreFine() {
        Config c = fs.ok("", "listen.a = 10.0.0.1:443", "listen.b = 10.0.0.2:443", "listen.c = [::]:443", "listen.d = 127.0.0.1:9091");
        assertEquals(4, c.listeners().size());
    }

    @Test
    void absoluteAndDotDotPaths() {
        Config c = fs.ok("", "listen.a = 443", "audit.file = /var/log/lnm/audit.jsonl");
        assertEquals(fs.fs.getPath("/var/log/lnm/audit.jsonl"), c.auditFile());
        fs.write("shared/al.properties", "x.example.com = direct\n");
        Config d = fs.ok("", "listen.a = 443", "allowlist = ../lnm/shared/al.properties", "audit.file = logs/../audit.jsonl");
        assertEquals(fs.fs.getPath("/etc/lnm/shared/al.properties"), d.allowlistFile());
        assertEquals(fs.fs.getPath("/etc/lnm/audit.jsonl"), d.auditFile());
    }

    @Test
    void effectiveSettingsOfDesignExample() {
        int threads = Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors()));
        assertEquals(List.of(
                "level = 4",
                "listen.https = 0.0.0.0:443",
                "listen.https.mode = tls",
                "listen.https.acceptProxyProtocol = none (default)",
                "listen.https.policy = enforce (default)",
                "listen.mqtts = 0.0.0.0:8883",
                "listen.mqtts.mode = tls (default)",
                "listen.mqtts.acceptProxyProtocol = none (default)",
                "listen.mqtts.policy = enforce (default)",
                "listen.opcua = 0.0.0.0:4840",
                "listen.opcua.mode = tcp",
                "listen.opcua.target = 10.3.0.15:4840",
                "listen.opcua.acceptProxyProtocol = none (default)",
                "parent = 10.4.0.10",
                "parent.proxyProtocol = none (default)",
                "parent.balance = failover (default)",
                "parent.check = tcp (default)",
                "parent.checkSeconds = 5 (default)",
                "parent.downSeconds = 30 (default)",
                "allowlist = allowlist.properties",
                "policy = enforce (default)",
                "sources = 10.3.0.0/16, 10.2.0.0/16",
                "audit.file = audit.jsonl",
                "audit.maxBytes = 100MiB (default)",
                "audit.keep = 5 (default)",
                "admin.listen = 127.0.0.1:9090",
                "admin.sources = sources (default)",
                "admin.hosts = (default)",
                "timeouts.helloSeconds = 10 (default)",
                "timeouts.connectSeconds = 10 (default)",
                "timeouts.idleSeconds = 600 (default)",
                "limits.helloMaxBytes = 65536 (default)",
                "limits.maxConnections = 20000 (default)",
                "limits.perSourceConnections = 1000 (default)",
                "limits.headBytes = auto (default)",
                "limits.perSourceRate = 200 (default)",
                "limits.ipv6PrefixLength = 64 (default)",
                "tls.ech = allow (default)",
                "loop.threads = " + threads + " (default)",
                "dns.cacheSeconds = 60 (default)",
                "dns.listen = off (default)",
                "dns.answer = (default)",
                "dns.ttl = 60 (default)",
                "dns.upstream = (default)",
                "dns.sources = sources (default)",
                "dns.audit = false (default)",
                "dns.rateLimit = 50 (default)",
                "dns.upstreamTimeoutSeconds = 2 (default)",
                "dns.forwardZones = (default)",
                "direct.allowSpecialAddresses = none (default)",
                "egress.proxy = (default)",
                "egress.proxy.credentials = (default)",
                "egress.proxy.bypass = (default)",
                "shutdown.drainSeconds = 30 (default)",
                "connect.ports = 443, 8883 (default)",
                "http.ports = 80 (default)",
                "http.connect.requireMatchingSni = true (default)",
                "name = " + Key.NAME.defaultValue() + " (default)",
                "fleet.listen = off (default)",
                "fleet.sources = sources (default)",
                "fleet.dir = (default)",
                "fleet.key = (default)",
                "fleet.source = (default)",
                "fleet.trust = (default)",
                "fleet.boxKey = (default)",
                "fleet.interval = 30 (default)",
                "fleet.state = /var/lib/lnm/fleet (default)"), design().effectiveSettings());
    }

    @Test
    void effectiveSettingsListEveryKeyAndParseBack() {
        Config c = fs.ok("", "listen.a = [::1]:443", "listen.a.acceptProxyProtocol = 10.0.0.0/8", "timeouts.helloSeconds = 0.5",
                "audit.maxBytes = 10MB", "admin.listen = off");
        List<String> lines = c.effectiveSettings();
        for (Key<?> k : Key.GLOBALS) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(k.name() + " =")), k.name());
        }
        assertTrue(lines.contains("parent = (default)"), lines.toString());
        assertTrue(lines.contains("timeouts.helloSeconds = 0.5"), lines.toString());
        assertTrue(lines.contains("audit.maxBytes = 10000000"), lines.toString());
        assertTrue(lines.contains("admin.listen = off"), lines.toString());
        assertTrue(lines.contains("listen.a = [::1]:443"), lines.toString());
        // What check --print shows is itself a valid config with the same settings.
        List<String> printed = new ArrayList<>();
        lines.forEach(l -> printed.add(l.replace(" (default)", "")));
        Config again = fs.ok("", printed.toArray(new String[0]));
        List<String> expected = new ArrayList<>();
        lines.forEach(l -> expected.add(l.replace(" (default)", "")));
        assertEquals(expected, again.effectiveSettings());
    }

    @Test
    void crlfContinuationsAndEscapesInRealConfig() {
        fs.write("allowlist.properties", "management.azure.com = direct\r\n");
        LoadResult r = Config.load(fs.write("lnm.properties",
                "listen.https = 0.0.0.0:443\r\nsources = 10.3.0.0/16, \\\r\n   10.2.0.0/16\r\nlisten.https\\u002emode : tls\r\n"));
        assertTrue(r.ok(), () -> ConfFs.lines(r));
        assertEquals("10.3.0.0/16, 10.2.0.0/16", r.config().sources().toString());
    }

    @Test
    void realFileSystemWithTempDir(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("allowlist.properties"), ConfFs.DESIGN_ALLOWLIST);
        Files.writeString(dir.resolve("lnm.properties"), ConfFs.DESIGN_LNM);
        LoadResult r = Config.load(dir.resolve("lnm.properties"));
        assertTrue(r.ok(), () -> ConfFs.lines(r));
        assertEquals(dir.resolve("audit.jsonl"), r.config().auditFile());
        assertEquals(dir.resolve("allowlist.properties"), r.config().allowlistFile());
    }

    @Test
    void reloadBuildsANewIndependentSnapshot() {
        Config a = fs.ok("x.example.com = direct\n", "listen.a = 443");
        Config b = fs.ok("y.example.com = direct\n", "listen.a = 8443");
        assertTrue(a.allowlist().match("x.example.com").isPresent());
        assertFalse(a.allowlist().match("y.example.com").isPresent());
        assertEquals(443, a.listeners().get(0).port());
        assertEquals(8443, b.listeners().get(0).port());
        assertThrows(UnsupportedOperationException.class, () -> a.listeners().add(null));
        assertThrows(UnsupportedOperationException.class, () -> a.effectiveSettings().clear());
        assertThrows(UnsupportedOperationException.class, () -> a.allowlist().rules().clear());
    }

    @Test
    void loadResultShape() {
        LoadResult bad = fs.load("", "level = 9");
        assertFalse(bad.ok());
        assertNull(bad.config());
        assertThrows(IllegalArgumentException.class, () -> new LoadResult(null, List.of()));
        assertThrows(UnsupportedOperationException.class, () -> bad.problems().clear());
    }
}
