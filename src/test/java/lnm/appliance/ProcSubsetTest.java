package lnm.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * holding ::1 and a unique local address added for the test. With the option the JDK lists no
 * IPv6 address and lnm asks ip(8) instead, so its answers (and its destination guard) still
 * know them; the JDK also takes IPv6 for unavailable then and cannot bind an IPv6 listener,
 * which is why lnm.service does not set ProcSubset=pid.
 */
class ProcSubsetTest {
    private static final String ULA = "fd6e:6d::1";

    @TempDir
    Path tmp;

    @Test
    void ownIpv6AddressesAreFoundUnderASubsetPidProcfs() throws IOException {
        Appliance.assume(Sh.isRoot(), "needs root (unshare, mount)");
        Appliance.assume(Sh.has("unshare") && Sh.has("ip") && Sh.has("dig"),
                "needs unshare (util-linux), ip (iproute2) and dig (dnsutils)");
        String common = "allowlist = allowlist.properties\naudit.file = audit.jsonl\nadmin.listen = off\nshutdown.drainSeconds = 1\n";
        Files.writeString(tmp.resolve("dns.properties"), "listen.https = 127.0.0.1:0\ndns.listen = 0.0.0.0:5353\n" + common);
        Files.writeString(tmp.resolve("v6.properties"), "listen.v6 = [" + ULA + "]:8443\n" + common);
        Files.writeString(tmp.resolve("allowlist.properties"), "own.test = direct\n");

        Map<String, String> full = lnmSees("", "full");
        Map<String, String> subset = lnmSees("-o subset=pid", "subset");
        System.err.println("procfs as mounted by default: " + full);
        System.err.println("procfs mounted -o subset=pid: " + subset);

        assertTrue(full.get("a").contains("127.0.0.1"), full.toString());
        assertTrue(full.get("aaaa").contains("::1") && full.get("aaaa").contains(ULA), full.toString());
        assertEquals("started", full.get("bind6"), full.toString());
        // the same lnm under subset=pid: IPv4 still seen, no IPv6 address at all, and the JDK
        // even takes IPv6 for unavailable
        assertTrue(subset.get("a").contains("127.0.0.1"), subset.toString());
        // the JDK lists no IPv6 address there; lnm asks ip(8) (netlink) and still finds them
        assertTrue(subset.get("aaaa").contains("::1") && subset.get("aaaa").contains(ULA), subset.toString());
        // (the JDK then refuses an IPv6 bind; lnm says so in one line and exits, no stack trace)
        assertTrue(subset.get("bind6").matches(".*(IPv6 not available|IPv6 is not available to this process).*"), subset.toString());
        assertFalse(subset.get("bind6").contains("Exception"), subset.toString());
    }

    /**
     * In a fresh namespace whose /proc is mounted with OPTIONS: lnm's DNS answers (A and AAAA
     * for an allowlisted name, asked over loopback) and whether lnm can listen on an IPv6
     * address of this box.
     */
    private Map<String, String> lnmSees(String options, String label) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = String.join("\n",
                "set -e",
                "ip link set lo up",
                "ip -6 addr add " + ULA + "/128 dev lo",
                "mount -t proc " + options + " proc /proc",
                "lnm() { \"$1\" -cp \"$2\" lnm.cli.Main run --config \"$3/$5.properties\" >\"$3/$5-$4.log\" 2>&1 & }",
                "q() { dig +short +tries=1 +time=2 -p 5353 \"$@\" own.test | grep -v '^;;' | tr '\\n' ' '; }", // ;; = dig's errors
                "lnm \"$@\" dns; pid=$!",
                "for i in $(seq 120); do [ -n \"$(q +tcp @127.0.0.1 A)\" ] && break; kill -0 $pid; sleep 0.5; done",
                "echo \"a=$(q +tcp @127.0.0.1 A)\"",
                "echo \"aaaa=$(q +tcp @127.0.0.1 AAAA)\"",
                "kill $pid; wait $pid || true",
                "lnm \"$@\" v6; pid=$!",
                "for i in $(seq 120); do grep -qE 'started with|not started|Exception' \"$3/v6-$4.log\" && break; sleep 0.5; done",
                "if grep -q 'started with' \"$3/v6-$4.log\"; then echo bind6=started; else echo \"bind6=$(grep -m1 -E 'ERROR|Exception|not started' \"$3/v6-$4.log\")\"; fi",
                "kill $pid 2>/dev/null || true; wait $pid || true");
        Sh r = Sh.run(List.of("unshare", "-m", "-n", "bash", "-c", script, "lnm",
                java, Path.of("target/classes").toAbsolutePath().toString(), tmp.toString(), label));
        assertEquals(0, r.exit(), r.out() + "\nlnm logs:\n" + Files.readString(tmp.resolve("dns-" + label + ".log"))
                + (Files.exists(tmp.resolve("v6-" + label + ".log")) ? Files.readString(tmp.resolve("v6-" + label + ".log")) : ""));
        Map<String, String> seen = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("(?m)^(a|aaaa|bind6)=(.*)$").matcher(r.out());
        while (m.find()) {
            seen.put(m.group(1), m.group(2).strip());
        }
        assertEquals(3, seen.size(), r.out());
        return seen;
    }
}
