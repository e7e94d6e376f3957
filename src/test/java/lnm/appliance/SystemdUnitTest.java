package lnm.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd-analyze on the units as install.sh installs them. */
class SystemdUnitTest {
    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void install() throws IOException {
        Appliance.assume(Sh.has("systemd-analyze"), "systemd-analyze not installed (Debian package systemd)");
        root = Appliance.sharedInstall();
    }

    private Sh verify(String unit) throws IOException {
        Path copy = Appliance.unitForHost(root, unit, tmp.resolve("units"));
        return Sh.run(List.of("systemd-analyze", "verify", copy.toString()));
    }

    @Test
    void lnmServiceVerifiesClean() throws IOException {
        Sh r = verify("lnm.service");
        assertEquals(0, r.exit(), r.out());
        assertEquals("", r.out().lines().filter(l -> l.contains("lnm")).reduce("", String::concat));
    }

    @Test
    void firewallServiceVerifiesClean() throws IOException {
        Appliance.assume(Sh.has("/usr/sbin/nft"), "nft not installed (Debian package nftables)");
        Sh r = verify("lnm-firewall.service");
        assertEquals(0, r.exit(), r.out());
        assertEquals("", r.out().lines().filter(l -> l.contains("lnm")).reduce("", String::concat));
    }

    @Test
    void securityExposureIsAtMostTwo() throws IOException {
        Path unit = Appliance.unitForHost(root, "lnm.service", tmp.resolve("units"));
        Sh r = Sh.run(List.of("systemd-analyze", "security", "--offline=yes", "--no-pager", unit.toString()));
        Matcher m = Pattern.compile("Overall exposure level for lnm\\.service: (\\d+\\.\\d+) (\\w+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double score = Double.parseDouble(m.group(1));
        System.err.println("systemd-analyze security lnm.service: " + score + " " + m.group(2));
        assertTrue(score <= 2.0, "exposure " + score + " > 2.0:\n" + r.out());
        assertEquals("OK", m.group(2));
    }

    /** The unit's settings (last assignment of each key wins, as in systemd). */
    private Map<String, String> settings() throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(root.resolve("etc/systemd/system/lnm.service"))) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (!l.isEmpty() && !l.startsWith("#") && !l.startsWith("[") && eq > 0) {
                m.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return m;
    }

    @Test
    void restartsForeverAndNeverHitsAStartLimit() throws IOException {
        Map<String, String> unit = settings();
        assertEquals("always", unit.get("Restart"), "restart on any end, not only on failure");
        assertEquals("0", unit.get("StartLimitIntervalSec"), "no start rate limit: never give up");
        assertTrue(unit.get("RestartSec") != null && unit.get("RestartSec").matches("[1-9]\\d*s?"),
                "a spacing between restarts: " + unit.get("RestartSec"));
        assertTrue(!unit.containsKey("StartLimitBurst") && !unit.containsKey("StartLimitAction"), unit.toString());
        // systemd-analyze verify (lnmServiceVerifiesClean) rejects keys this systemd lacks
    }

    @Test
    void procIsNotReducedToProcessDirectories() throws IOException {
        // ProcSubset=pid hides /proc/net/if_inet6, the JDK's only source of IPv6 addresses
        // (ProcSubsetTest shows the effect)
        assertTrue(!settings().containsKey("ProcSubset"), "ProcSubset= set");
    }
}
