package lnm.dns;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Opens the UDP socket a forwarded query goes out on, bound to a port drawn with
 * {@link SecureRandom} from the system's ephemeral range, so that an off-path forger must
 * guess the port as well as the 16-bit ID. A port that is taken is another draw, up to
 * {@value #DRAWS} of them; after that the kernel picks ({@code bind} to port 0, which Linux
 * also randomises), so a crowded range slows nothing down.
 *
 * <p>The range is Linux's {@code /proc/sys/net/ipv4/ip_local_port_range} (read once, when
 * the DNS server starts), else IANA's dynamic range 49152-65535: ports there are meant for
 * short-lived client sockets, so a draw never takes a port a local service is configured to
 * listen on.
 */
final class SourcePorts {
    static final int DRAWS = 8;
    static final int IANA_LOW = 49152;
    static final int IANA_HIGH = 65535;
    private static final Path LINUX_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private final SecureRandom random;
    private final int low;
    private final int high;

    /** @param low the lowest port to draw, @param high the highest (inclusive) */
    SourcePorts(SecureRandom random, int low, int high) {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("bad port range " + low + "-" + high);
        }
        this.random = random;
        this.low = low;
        this.high = high;
    }

    /** The system's ephemeral range (see the class description). */
    static SourcePorts system(SecureRandom random) {
        int[] r = linuxRange();
        return r == null ? new SourcePorts(random, IANA_LOW, IANA_HIGH) : new SourcePorts(random, r[0], r[1]);
    }

    private static int[] linuxRange() {
        try {
            String[] parts = Files.readString(LINUX_RANGE, StandardCharsets.US_ASCII).trim().split("\\s+");
            if (parts.length != 2) {
                return null;
            }
            int lo = Integer.parseInt(parts[0]);
            int hi = Integer.parseInt(parts[1]);
            return lo >= 1024 && hi <= 65535 && lo < hi ? new int[] {lo, hi} : null;
        } catch (IOException | RuntimeException e) {
            return null; // not Linux, or unreadable: the IANA range
        }
    }

    int low() {
        return low;
    }

    int high() {
        return high;
    }

    /**
     * A new non-blocking UDP socket (dual-stack where the system has IPv6) on a random port of
     * the range, or on the kernel's choice when {@value #DRAWS} draws all found their port taken.
     *
     * @throws IOException when no socket can be opened at all (out of descriptors, say)
     */
    DatagramChannel open() throws IOException {
        for (int i = 0; i < DRAWS; i++) {
            int port = low + random.nextInt(high - low + 1);
            DatagramChannel ch = DatagramChannel.open();
            try {
                ch.bind(new InetSocketAddress(port));
                ch.configureBlocking(false);
                return ch;
            } catch (BindException e) {
                ch.close(); // taken: draw again
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.bind(null);
            ch.configureBlocking(false);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
