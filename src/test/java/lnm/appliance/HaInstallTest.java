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
                "--ha", "primary", "--vip", "10.3.0.5/24", "--peer", "10.3.0.12", "--ha-src", "10.3.0.11").ok();
        Appliance.install(backup, "--harden", "--plant-if", "plant0", "--outside-if", "wan0",
                "--ha", "backup", "--vip", "10.3.0.5/24", "--ha-if", "plant0", "--peer", "10.3.0.11", "--ha-src", "10.3.0.12").ok();
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
            assertTrue(k.contains("check_unicast_src"), k);
            assertTrue(!k.contains("mcast"), "unicast only: " + k);
        }
        // unicast VRRP: each box sends from its own address to the other one only
        assertTrue(p.contains("unicast_src_ip 10.3.0.11\n    unicast_peer {\n        10.3.0.12\n    }"), p);
        assertTrue(b.contains("unicast_src_ip 10.3.0.12\n    unicast_peer {\n        10.3.0.11\n    }"), b);
        assertEquals(p.replace("150", "100").replace("lnm_primary", "lnm_backup").replace("10.3.0.11", "10.3.0.x")
                .replace("10.3.0.12", "10.3.0.11").replace("10.3.0.x", "10.3.0.12"), b,
                "the boxes differ in priority, name and the two unicast addresses only");
        String nft = Files.readString(primary.resolve("etc/lnm/nftables.conf"));
        assertTrue(nft.contains("define ha_if = \"plant0\""), nft);
        assertTrue(nft.contains("define ha_peer = 10.3.0.12\n"), nft);
        assertTrue(nft.contains("iifname $ha_if ip saddr $ha_peer meta l4proto 112 counter accept"), nft);
        assertTrue(nft.contains("meta l4proto 112 counter drop"), nft);
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(primary.resolve("etc/keepalived/keepalived.conf"))));
    }

    @Test
    void keepalivedAcceptsTheConfigAndTheRulesetLoads() throws IOException {
        Appliance.assume(Sh.has("/usr/sbin/keepalived"), "keepalived not installed (Debian package keepalived)");
        Appliance.assume(Sh.has("/usr/sbin/nft"), "nft not installed (Debian package nftables)");
        Appliance.install(primary, "--harden", "--plant-if", "plant0", "--outside-if", "wan0",
                "--ha", "primary", "--vip", "10.3.0.5/24", "--ha-vrid", "77", "--peer", "10.3.0.12", "--ha-src", "10.3.0.11").ok();
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
            assertTrue(table.matches("(?s).*iifname \"plant0\" ip saddr 10\\.3\\.0\\.12 (meta l4proto|ip protocol) (112|vrrp)"
                    + " counter packets \\d+ bytes \\d+ accept.*"), table);
            assertTrue(table.matches("(?s).*\n\\s*(meta l4proto|ip protocol) (112|vrrp) counter packets \\d+ bytes \\d+ drop.*"), table);
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
        assertTrue(r.exit() != 0 && r.out().contains("--vip, --ha-if, --peer and --ha-src go with --ha"), r.out());
        r = Appliance.install(primary, "--peer", "10.3.0.12");
        assertTrue(r.exit() != 0 && r.out().contains("go with --ha primary|backup"), r.out());
    }

    @Test
    void thePeerIsRequiredAndMustBeAnIpv4Address() throws IOException {
        List<String> ha = List.of("--ha", "primary", "--vip", "10.3.0.5/24", "--ha-if", "eth1");
        Sh r = Appliance.install(primary, concat(ha, "--ha-src", "10.3.0.11"));
        assertTrue(r.exit() != 0 && r.out().contains("--ha needs --peer ADDR, the other box's address on eth1"), r.out());
        for (String bad : List.of("box-b", "10.3.0.300", "10.3.0", "fe80::1", "10.3.0.12/24", "010.3.0.12", "10.3.0.12;reboot")) {
            r = Appliance.install(primary, concat(ha, "--ha-src", "10.3.0.11", "--peer", bad));
            assertTrue(r.exit() != 0 && r.out().contains("--peer needs the other box's IPv4 address"), bad + ": " + r.out());
        }
        r = Appliance.install(primary, concat(ha, "--peer", "10.3.0.12"));
        assertTrue(r.exit() != 0 && r.out().contains("--ha with --destdir needs --ha-src ADDR"), r.out());
        r = Appliance.install(primary, concat(ha, "--peer", "10.3.0.12", "--ha-src", "eth1"));
        assertTrue(r.exit() != 0 && r.out().contains("--ha-src needs this box's IPv4 address"), r.out());
        r = Appliance.install(primary, concat(ha, "--peer", "10.3.0.12", "--ha-src", "10.3.0.12"));
        assertTrue(r.exit() != 0 && r.out().contains("is this box's own address"), r.out());
        r = Appliance.install(primary, concat(ha, "--peer", "10.3.0.5", "--ha-src", "10.3.0.11"));
        assertTrue(r.exit() != 0 && r.out().contains("the virtual address 10.3.0.5 cannot be a box's own address"), r.out());
    }

    @Test
    void hardenAgainKeepsThePeerAndRefusesARulesetThatHasNone() throws IOException {
        Appliance.install(primary, "--harden", "--plant-if", "plant0", "--outside-if", "wan0",
                "--ha", "primary", "--vip", "10.3.0.5/24", "--peer", "10.3.0.12", "--ha-src", "10.3.0.11").ok();
        Appliance.install(primary, "--harden").ok();
        Path rules = primary.resolve("etc/lnm/nftables.conf");
        String nft = Files.readString(rules);
        assertTrue(nft.contains("define ha_if = \"plant0\"") && nft.contains("define ha_peer = 10.3.0.12\n"), nft);
        // a ruleset from before --peer accepted VRRP from the whole segment: refused until --peer is given
        Files.writeString(rules, nft.replaceAll("(?m)^define ha_peer = .*\n", ""));
        Sh r = Appliance.install(primary, "--harden");
        assertTrue(r.exit() != 0 && r.out().contains("accepts VRRP from any plant host; give --ha ROLE --vip ADDR/PREFIX --peer ADDR again"), r.out());
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    @Test
    void trackScriptFollowsReadyzOfThisLnmOnly(@TempDir Path dir) throws IOException {
        String script = Path.of("appliance/lnm-readyz").toAbsolutePath().toString();
        Path pidFile = dir.resolve("lnm.pid");
        Files.writeString(pidFile, "4242\n");
        String pid = pidFile.toString();
        String body = "ready: 1/1 listeners bound, config /etc/lnm/lnm.properties loaded, 0 allowlist rules\n";
        try (ServerSocket ready = StatusServer.start("200 OK", body + "pid 4242\n");
                ServerSocket other = StatusServer.start("200 OK", body + "pid 42420\n");
                ServerSocket noPid = StatusServer.start("200 OK", body);
                ServerSocket draining = StatusServer.start("503 Service Unavailable", "not ready\npid 4242\n")) {
            assertEquals(0, Sh.run(List.of(script, port(ready), pid)).exit());
            assertEquals(1, Sh.run(List.of(script, port(other), pid)).exit(), "another process answers on the port");
            assertEquals(1, Sh.run(List.of(script, port(noPid), pid)).exit(), "no pid line");
            assertEquals(1, Sh.run(List.of(script, port(draining), pid)).exit());
            assertEquals(1, Sh.run(List.of(script, port(ready), dir.resolve("none.pid").toString())).exit(), "no pid file");
            Files.writeString(pidFile, "0\n");
            assertEquals(1, Sh.run(List.of(script, port(ready), pid)).exit(), "no main process");
        }
        // without a pid file the PID is lnm.service's MainPID, never this test's JVM
        try (ServerSocket self = StatusServer.start("200 OK", body + "pid " + ProcessHandle.current().pid() + "\n")) {
            assertEquals(1, Sh.run(List.of(script, port(self))).exit());
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Files.writeString(pidFile, "4242\n");
        assertEquals(1, Sh.run(List.of(script, String.valueOf(closed), pid)).exit());
        assertEquals(2, Sh.run(List.of(script, "90x")).exit());
    }

    private static String port(ServerSocket s) {
        return String.valueOf(s.getLocalPort());
    }
}
