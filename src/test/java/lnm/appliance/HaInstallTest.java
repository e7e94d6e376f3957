package lnm.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.StatusServer;

/** install.sh --ha: the keepalived configuration of each box, VRRP in the ruleset, the track script. */
class HaInstallTest {
    @TempDir
    Path primary;
    @TempDir
    Path backup;

    private static String keepalived(Path root) throws IOException {
        return Files.readString(root.resolve("etc/keepalived/keepalived.conf"));
    }

    @Test
    void bothBoxesGetTheSameInstanceWithTheirOwnPriority() throws IOException {
        Appliance.install(primary, "--harden", "--plant-if", "plant0", "--outside-if", "wan0",
                "--ha", "primary", "--vip", "10.3.0.5/24").ok();
        Appliance.install(backup, "--harden", "--plant-if", "plant0", "--outside-if", "wan0",
                "--ha", "backup", "--vip", "10.3.0.5/24", "--ha-if", "plant0").ok();
        String p = keepalived(primary);
        String b = keepalived(backup);
        assertTrue(!p.contains("@") || !p.matches("(?s).*@[A-Z_]+@.*"), p);
        assertTrue(p.contains("priority 150") && b.contains("priority 100"), p + b);
        assertTrue(p.contains("router_id lnm_primary") && b.contains("router_id lnm_backup"), p + b);
        for (String k : List.of(p, b)) {
            assertTrue(k.contains("interface plant0"), k);
            assertTrue(k.contains("10.3.0.5/24 dev plant0"), k);
            assertTrue(k.contains("virtual_router_id 51"), k);
            assertTrue(k.contains("nopreempt"), k);
            assertTrue(k.contains("script \"/opt/lnm/share/appliance/lnm-readyz 9090\""), k);
        }
        assertEquals(p.replace("150", "100").replace("lnm_primary", "lnm_backup"), b, "the boxes differ in priority and name only");
        String nft = Files.readString(primary.resolve("etc/lnm/nftables.conf"));
        assertTrue(nft.contains("define ha_if = \"plant0\""), nft);
        assertTrue(nft.contains("iifname $ha_if meta l4proto 112"), nft);
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(primary.resolve("etc/keepalived/keepalived.conf"))));
    }

    @Test
    void keepalivedAcceptsTheConfigAndTheRulesetLoads() throws IOException {
        Appliance.assume(Sh.has("/usr/sbin/keepalived"), "keepalived not installed (Debian package keepalived)");
        Appliance.assume(Sh.has("/usr/sbin/nft"), "nft not installed (Debian package nftables)");
        Appliance.install(primary, "--harden", "--plant-if", "plant0", "--outside-if", "wan0",
                "--ha", "primary", "--vip", "10.3.0.5/24", "--ha-vrid", "77").ok();
        String ns = "lnm-ha-ct-" + ProcessHandle.current().pid();
        Sh.run(List.of("ip", "netns", "add", ns)).ok();
        try {
            // the interfaces the config names must exist for --config-test
            Sh.run(List.of("ip", "-n", ns, "link", "add", "plant0", "type", "veth", "peer", "name", "wan0")).ok();
            String conf = primary.resolve("etc/keepalived/keepalived.conf").toString();
            // keepalived looks for the track script at /opt/lnm/...: show it the scratch root's
            // there, in a private mount namespace (a root-only tmpfs, as the script's folders must be)
            String script = "mount -t tmpfs -o mode=0755 lnm-ha /opt && mkdir /opt/lnm"
                    + " && mount --bind \"$0/opt/lnm\" /opt/lnm && exec keepalived --config-test -f \"$1\"";
            Sh ok = Sh.run(List.of("ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private",
                    "sh", "-c", script, primary.toString(), conf));
            assertEquals(0, ok.exit(), ok.out());
            // the same test fails on a broken config, so the check above means something
            Path bad = primary.resolve("bad.conf");
            Files.writeString(bad, Files.readString(Path.of(conf)).replace("advert_int 1", "advert_int 1\n    no_such_keyword 1"));
            Sh broken = Sh.run(List.of("ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private",
                    "sh", "-c", script, primary.toString(), bad.toString()));
            assertNotEquals(0, broken.exit(), broken.out());
            assertTrue(broken.out().contains("no_such_keyword"), broken.out());

            String rules = primary.resolve("etc/lnm/nftables.conf").toString();
            Sh.run(List.of("ip", "netns", "exec", ns, "nft", "-f", rules)).ok();
            String table = Sh.run(List.of("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "lnm")).ok().out();
            assertTrue(table.matches("(?s).*iifname \"plant0\" (meta l4proto|ip protocol) (112|vrrp) counter packets \\d+ bytes \\d+ accept.*"),
                    table);
        } finally {
            Sh.run(List.of("ip", "netns", "delete", ns));
        }
    }

    @Test
    void badHaOptionsAreRefused() throws IOException {
        Sh r = Appliance.install(primary, "--ha", "main", "--vip", "10.3.0.5/24", "--ha-if", "eth1");
        assertTrue(r.exit() != 0 && r.out().contains("--ha takes primary or backup, not 'main'"), r.out());
        r = Appliance.install(primary, "--ha", "primary", "--vip", "10.3.0.5", "--ha-if", "eth1");
        assertTrue(r.exit() != 0 && r.out().contains("--vip needs an IPv4 ADDR/PREFIX"), r.out());
        r = Appliance.install(primary, "--ha", "primary", "--vip", "10.3.0.300/24", "--ha-if", "eth1");
        assertTrue(r.exit() != 0 && r.out().contains("300 is not an octet"), r.out());
        r = Appliance.install(primary, "--ha", "primary", "--vip", "10.3.0.5/24");
        assertTrue(r.exit() != 0 && r.out().contains("--ha needs --ha-if IF"), r.out());
        r = Appliance.install(primary, "--vip", "10.3.0.5/24");
        assertTrue(r.exit() != 0 && r.out().contains("--vip and --ha-if go with --ha"), r.out());
    }

    @Test
    void trackScriptFollowsReadyz() throws IOException {
        String script = Path.of("appliance/lnm-readyz").toAbsolutePath().toString();
        try (ServerSocket ready = StatusServer.start("200 OK"); ServerSocket draining = StatusServer.start("503 Service Unavailable")) {
            assertEquals(0, Sh.run(List.of(script, String.valueOf(ready.getLocalPort()))).exit());
            assertEquals(1, Sh.run(List.of(script, String.valueOf(draining.getLocalPort()))).exit());
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertEquals(1, Sh.run(List.of(script, String.valueOf(closed))).exit());
        assertEquals(2, Sh.run(List.of(script, "90x")).exit());
    }
}
