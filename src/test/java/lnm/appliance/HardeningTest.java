package lnm.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nftables ruleset, sysctl settings and logrotate file as installed by install.sh --harden. */
class HardeningTest {
    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void install() throws IOException {
        root = Appliance.sharedInstall();
    }

    @Test
    void rulesetLoadsInANetworkNamespace() throws IOException {
        Appliance.assume(Sh.has("/usr/sbin/nft"), "nft not installed (Debian package nftables)");
        Appliance.assume(Sh.has("ip"), "ip not installed (Debian package iproute2)");
        String ns = "lnm-nft-" + ProcessHandle.current().pid();
        Sh.run(List.of("ip", "netns", "add", ns)).ok();
        try {
            String rules = root.resolve("etc/lnm/nftables.conf").toString();
            Sh.run(List.of("ip", "netns", "exec", ns, "nft", "-f", rules)).ok();
            // loading again replaces the table (what `systemctl reload lnm-firewall` does)
            Sh.run(List.of("ip", "netns", "exec", ns, "nft", "-f", rules)).ok();
            String table = Sh.run(List.of("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "lnm")).ok().out();
            assertTrue(table.matches("(?s).*hook input priority filter; policy drop;.*"), table);
            assertTrue(table.matches("(?s).*hook forward priority filter; policy drop;.*"), table);
            assertTrue(table.contains("iifname \"plant0\" oifname \"wan0\""), table);
            assertTrue(table.matches("(?s).*iifname \"plant0\" tcp dport \\{ \\d+(, \\d+)* \\} accept.*"), table);
            assertTrue(table.contains("tcp dport 9090") && table.contains("admin port: local only"), table);
            assertTrue(table.contains("iifname \"wan0\" tcp dport 22 accept"), table);
            // DHCP replies only from the outside: a plant-side DHCP server picks no resolver
            assertTrue(table.contains("iifname \"wan0\" udp sport 67 udp dport 68 accept"), table);
            assertTrue(table.contains("iifname \"wan0\" udp sport 547 udp dport 546 accept"), table);
            for (String line : table.split("\n")) {
                if (line.contains("sport 67") || line.contains("sport 547")) {
                    assertTrue(line.strip().startsWith("iifname \"wan0\""), line);
                }
            }
            String all = Sh.run(List.of("ip", "netns", "exec", ns, "nft", "list", "tables")).ok().out();
            assertEquals("table inet lnm", all.trim());
        } finally {
            Sh.run(List.of("ip", "netns", "delete", ns));
        }
    }

    @Test
    void sysctlTurnsForwardingOffWithKeysTheKernelHas() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(root.resolve("etc/sysctl.d/90-lnm.conf"))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] kv = l.split("\\s*=\\s*", 2);
            assertEquals(2, kv.length, line);
            settings.put(kv[0], kv[1]);
        }
        for (String k : List.of("net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding",
                "net.ipv6.conf.all.forwarding", "net.ipv6.conf.default.forwarding")) {
            assertEquals("0", settings.get(k), k);
        }
        for (String k : settings.keySet()) {
            if (k.startsWith("net.")) { // kernel.* depend on modules (yama) the build host may lack
                Path p = Path.of("/proc/sys", k.replace('.', '/'));
                assertTrue(Files.exists(p), "unknown sysctl " + k);
            }
        }
    }

    @Test
    void logrotateRotatesTheAuditLog() throws IOException {
        Appliance.assume(Sh.has("logrotate"), "logrotate not installed (Debian package logrotate)");
        Path logs = Files.createDirectories(tmp.resolve("log"));
        Files.writeString(logs.resolve("audit.jsonl"), "{\"decision\":\"deny\"}\n");
        String conf = Files.readString(root.resolve("etc/logrotate.d/lnm"))
                .replace("/var/log/lnm/", logs + "/")
                .replace("su lnm lnm", "su root root")
                .replace("create 0640 lnm lnm", "create 0640 root root");
        Path c = Files.writeString(tmp.resolve("lnm.logrotate"), conf);
        Sh r = Sh.run(List.of("logrotate", "-f", "-s", tmp.resolve("state").toString(), c.toString()));
        assertEquals(0, r.exit(), r.out());
        try (var s = Files.list(logs)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), names.toString());
            assertEquals("audit.jsonl", names.get(0));
            assertTrue(names.get(1).matches("audit\\.jsonl-\\d{8}-\\d+"), names.toString());
        }
        assertEquals(0, Files.size(logs.resolve("audit.jsonl")));
    }
}
