package lnm.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What lnm sees of this box's IPv6 addresses when /proc is mounted {@code subset=pid} (what
 * systemd's {@code ProcSubset=pid} does): the JDK reads them from /proc/net/if_inet6, which
 * that mount hides. lnm runs in a private mount and network namespace ({@code unshare -m -n})
 * with its own procfs, with and without the option, and answers AAAA queries for an
 * allowlisted name with the addresses of the interface the query came in on: loopback,
 * holding ::1 and a unique local address added for the test. Why lnm.service does not set
 * ProcSubset=pid.
 */
class ProcSubsetTest {
    private static final String ULA = "fd6e:6d::1";

    @TempDir
    Path tmp;

    @Test
    void ownIpv6AddressesAreMissingUnderASubsetPidProcfs() throws IOException {
        Appliance.assume(Sh.isRoot(), "needs root (unshare, mount)");
        Appliance.assume(Sh.has("unshare") && Sh.has("ip") && Sh.has("dig"),
                "needs unshare (util-linux), ip (iproute2) and dig (dnsutils)");
        Files.writeString(tmp.resolve("lnm.properties"), String.join("\n",
                "listen.https = 127.0.0.1:0", "allowlist = allowlist.properties", "audit.file = audit.jsonl",
                "admin.listen = off", "dns.listen = [::]:5353", "shutdown.drainSeconds = 1", ""));
        Files.writeString(tmp.resolve("allowlist.properties"), "own.test = direct\n");

        Map<String, String> full = lnmSees("");
        Map<String, String> subset = lnmSees("-o subset=pid");
        System.err.println("procfs as mounted by default: " + full);
        System.err.println("procfs mounted -o subset=pid: " + subset);

        assertTrue(full.get("aaaa").contains("::1") && full.get("aaaa").contains(ULA), full.toString());
        assertTrue(full.get("udp6").contains(ULA), "the UDP socket bound on " + ULA + ": " + full);
        assertTrue(full.get("a").contains("127.0.0.1"), full.toString());
        // the same lnm under subset=pid: IPv4 still seen, no IPv6 address at all
        assertTrue(subset.get("a").contains("127.0.0.1"), subset.toString());
        assertEquals("", subset.get("aaaa"), subset.toString());
        assertEquals("", subset.get("udp6"), "nothing bound on " + ULA + ": " + subset);
    }

    /** lnm's DNS answers in a fresh namespace whose /proc is mounted with OPTIONS. */
    private Map<String, String> lnmSees(String options) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = String.join("\n",
                "set -e",
                "ip link set lo up",
                "ip -6 addr add " + ULA + "/128 dev lo",
                "mount -t proc " + options + " proc /proc",
                "\"$1\" -cp \"$2\" lnm.cli.Main run --config \"$3/lnm.properties\" >>\"$3/lnm.log\" 2>&1 &",
                "pid=$!",
                "q() { dig +short +tries=1 +time=2 -p 5353 \"$@\" own.test | tr '\\n' ' '; }",
                "for i in $(seq 120); do [ -n \"$(q +tcp @127.0.0.1 A)\" ] && break; kill -0 $pid; sleep 0.5; done",
                "echo \"a=$(q +tcp @127.0.0.1 A)\"",
                "echo \"aaaa=$(q +tcp @127.0.0.1 AAAA)\"",
                "echo \"udp6=$(q @" + ULA + " AAAA || true)\"",
                "kill $pid; wait $pid || true");
        Sh r = Sh.run(List.of("unshare", "-m", "-n", "bash", "-c", script, "lnm",
                java, Path.of("target/classes").toAbsolutePath().toString(), tmp.toString()));
        assertEquals(0, r.exit(), r.out() + "\nlnm log:\n" + Files.readString(tmp.resolve("lnm.log")));
        Map<String, String> seen = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("(?m)^(a|aaaa|udp6)=(.*)$").matcher(r.out());
        while (m.find()) {
            seen.put(m.group(1), m.group(2).strip().replaceAll(";;.*", "").strip());
        }
        assertEquals(3, seen.size(), r.out());
        return seen;
    }
}
