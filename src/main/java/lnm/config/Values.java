package lnm.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers and printers for config value types. Each parser takes the trimmed value and throws
 * {@link IllegalArgumentException} with a short reason; {@link Key} adds file, line, key and
 * what is allowed.
 */
final class Values {
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,3})?|\\.[0-9]{1,3}");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,15}(?:\\.[0-9]{1,6})?)\\s*([A-Za-z]*)");

    private Values() {}

    static long longRange(String v, long min, long max) {
        if (!DIGITS.matcher(v).matches()) {
            throw new IllegalArgumentException("not a whole number");
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw new IllegalArgumentException("out of range");
        }
        return n;
    }

    static int intRange(String v, int min, int max) {
        return (int) longRange(v, min, max);
    }

    static boolean bool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw new IllegalArgumentException("not true or false");
        }
    }

    /**
     * Seconds, decimals allowed down to milliseconds ({@code 0.5}), as milliseconds.
     * {@code minMillis} is inclusive.
     */
    static long secondsAsMillis(String v, long minMillis, long maxMillis) {
        if (!DECIMAL.matcher(v).matches()) {
            throw new IllegalArgumentException("not a number of seconds");
        }
        long ms = new BigDecimal(v).movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
        if (ms < minMillis || ms > maxMillis) {
            throw new IllegalArgumentException("out of range");
        }
        return ms;
    }

    static String formatSeconds(long millis) {
        return BigDecimal.valueOf(millis).movePointLeft(3).stripTrailingZeros().toPlainString();
    }

    /** True for {@code yes}, false for {@code no} (any case); anything else is refused. */
    static boolean either(String v, String yes, String no) {
        if (v.equalsIgnoreCase(yes)) {
            return true;
        }
        if (v.equalsIgnoreCase(no)) {
            return false;
        }
        throw new IllegalArgumentException("neither " + yes + " nor " + no);
    }

    /**
     * A byte size: a number with an optional unit. {@code KiB MiB GiB TiB} and the JVM-style
     * {@code K M G T} are powers of 1024; {@code KB MB GB TB} are powers of 1000; {@code B} or no
     * unit is bytes. Units are case-insensitive.
     */
    static long size(String v, long min, long max) {
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size");
        }
        long unit;
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "": case "b": unit = 1; break;
            case "k": case "kib": unit = 1L << 10; break;
            case "m": case "mib": unit = 1L << 20; break;
            case "g": case "gib": unit = 1L << 30; break;
            case "t": case "tib": unit = 1L << 40; break;
            case "kb": unit = 1_000L; break;
            case "mb": unit = 1_000_000L; break;
            case "gb": unit = 1_000_000_000L; break;
            case "tb": unit = 1_000_000_000_000L; break;
            default: throw new IllegalArgumentException("unknown unit '" + m.group(2) + "'");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(min)) < 0 || bytes.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new IllegalArgumentException("out of range");
        }
        return bytes.setScale(0, RoundingMode.DOWN).longValueExact();
    }

    /** The shortest exact binary-unit spelling: 104857600 -> 100MiB, 1000 -> 1000. */
    static String formatSize(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            long u = 1L << (10 * (4 - i));
            if (bytes != 0 && bytes % u == 0) {
                return (bytes / u) + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /**
     * {@code [address:]port} for something to bind: the address must be an IP literal (or
     * {@code localhost}); a name would need DNS, and a listener should not depend on it.
     */
    static InetSocketAddress bind(String v, String defaultAddress) {
        return bind(v, defaultAddress, false);
    }

    /**
     * {@code [address:]port} where the address may also name a network interface
     * ({@code eth1:443}, see {@link InterfaceName}): listeners and {@code dns.listen}.
     */
    static InetSocketAddress bindOrInterface(String v, String defaultAddress) {
        return bind(v, defaultAddress, true);
    }

    private static InetSocketAddress bind(String v, String defaultAddress, boolean orInterface) {
        String addr;
        String port;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || close + 1 >= v.length() || v.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [ipv6]:port");
            }
            addr = v.substring(1, close);
            port = v.substring(close + 2);
        } else {
            int colon = v.lastIndexOf(':');
            if (colon >= 0 && v.indexOf(':') != colon) {
                throw new IllegalArgumentException("put IPv6 addresses in brackets, as in [::1]:9090");
            }
            addr = colon < 0 ? defaultAddress : v.substring(0, colon);
            port = colon < 0 ? v : v.substring(colon + 1);
        }
        byte[] b = addr.equalsIgnoreCase("localhost") ? new byte[] {127, 0, 0, 1} : IpLiteral.parse(addr);
        // Port 0 binds any free port: tests use it, and the bound port is logged.
        int p = port.equals("0") ? 0 : HostPort.parsePort(port);
        if (b == null && orInterface && !v.startsWith("[") && InterfaceName.valid(addr)) {
            return InterfaceName.bind(addr, p);
        }
        if (b == null) {
            String why = orInterface && !v.startsWith("[") ? InterfaceName.whyNot(addr) : null;
            throw new IllegalArgumentException("'" + addr + "' is not an IP address" + (why == null ? "" : " nor an interface name (" + why + ")"));
        }
        InetAddress ia = IpLiteral.toInet(b);
        return new InetSocketAddress(ia, p);
    }

    /** {@code a.b.c.d:port} or {@code [v6]:port}, without any lookup. */
    static String formatBind(InetSocketAddress a) {
        return IpLiteral.format(a);
    }
}
