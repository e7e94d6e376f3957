package lnm.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * This box's addresses per interface that is up, for the destination guard and the DNS answers.
 *
 * <p>The JDK lists IPv6 addresses from {@code /proc/net/if_inet6}. Where that file is hidden
 * (a procfs mounted {@code subset=pid}, as systemd's {@code ProcSubset=pid} does, or a
 * restricted container), it lists none, and lnm would neither refuse its own IPv6 addresses as
 * {@code direct} destinations nor answer AAAA queries with them. Then the IPv6 addresses come
 * from {@code ip -o -6 addr show}, which asks the kernel over netlink, not procfs.
 */
public final class InterfaceAddresses {
    private static final Logger LOG = Logger.getLogger(InterfaceAddresses.class.getName());
    private static final Path IF_INET6 = Path.of("/proc/net/if_inet6");
    private static final List<String> IP = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");

    private InterfaceAddresses() {}

    /** Interface name to its addresses, for every interface that is up; empty if none can be listed. */
    public static Map<String, List<InetAddress>> up() {
        return list(true);
    }

    private static Map<String, List<InetAddress>> list(boolean upOnly) {
        Map<String, Set<InetAddress>> out = new LinkedHashMap<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!upOnly || ni.isUp()) {
                    out.computeIfAbsent(ni.getName(), k -> new LinkedHashSet<>()).addAll(Collections.list(ni.getInetAddresses()));
                }
            }
        } catch (SocketException | RuntimeException e) {
            // no interface list: only what ip(8) gives below
        }
        if (!Files.isReadable(IF_INET6)) {
            ipv6FromIp(out, upOnly);
        }
        Map<String, List<InetAddress>> copy = new LinkedHashMap<>();
        out.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /** The names of this box's interfaces, up or down; empty if none can be listed. */
    public static Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                out.add(ni.getName());
            }
        } catch (SocketException | RuntimeException e) {
            // no interface list: every named interface is reported missing
        }
        return out;
    }

    /** Every address of every interface, up or down (a down interface may come up later). */
    public static Set<InetAddress> all() {
        Set<InetAddress> s = new LinkedHashSet<>();
        list(false).values().forEach(s::addAll);
        return s;
    }

    /** The addresses of the interface that has {@code a}, or empty. */
    public static List<InetAddress> sameInterface(InetAddress a) {
        for (List<InetAddress> l : up().values()) {
            for (InetAddress x : l) {
                if (java.util.Arrays.equals(x.getAddress(), a.getAddress())) {
                    return l;
                }
            }
        }
        return List.of();
    }

    private static void ipv6FromIp(Map<String, Set<InetAddress>> out, boolean upOnly) {
        String ip = IP.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        if (ip == null) {
            LOG.warning(IF_INET6 + " is not readable and ip(8) is not installed: this box's IPv6 addresses are unknown");
            return;
        }
        try {
            Process p = new ProcessBuilder(upOnly ? List.of(ip, "-o", "-6", "addr", "show", "up") : List.of(ip, "-o", "-6", "addr", "show")).redirectErrorStream(true).start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return;
            }
            parse(text, out);
        } catch (IOException e) {
            LOG.warning(IF_INET6 + " is not readable and " + ip + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads {@code ip -o -6 addr} lines: {@code 1: lo    inet6 ::1/128 scope host ...}; the
     * interface is the second field, the address the fourth up to its prefix length.
     */
    static void parse(String text, Map<String, Set<InetAddress>> out) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[2].equals("inet6")) {
                continue;
            }
            String name = f[1].contains("@") ? f[1].substring(0, f[1].indexOf('@')) : f[1];
            String addr = f[3].contains("/") ? f[3].substring(0, f[3].indexOf('/')) : f[3];
            byte[] b = IpLiteral.parse(addr);
            if (b != null && b.length == 16) {
                try {
                    out.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(InetAddress.getByAddress(b));
                } catch (IOException e) {
                    // 16 bytes are always an address
                }
            }
        }
    }

    /** The same, into a fresh map (for tests). */
    static Map<String, List<InetAddress>> parse(String text) {
        Map<String, Set<InetAddress>> m = new LinkedHashMap<>();
        parse(text, m);
        Map<String, List<InetAddress>> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
        return copy;
    }
}
