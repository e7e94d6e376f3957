package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.Config;
import lnm.config.ListenerSpec;
import lnm.config.LoadResult;
import lnm.floor.SourceKey;

/**
 * {@code limits.perSourceConnections} and {@code limits.perSourceRate} count all addresses of
 * one IPv6 prefix ({@code limits.ipv6PrefixLength}) as one source, at {@link Services#admit} and
 * {@link Services#admitOrigin}, and in the {@link RateLimit} on its own.
 */
class SourceLimitsByPrefixTest {
    static final int N = 5;

    @TempDir
    Path dir;

    Config config(String extra) throws Exception {
        Files.writeString(dir.resolve("allowlist.properties"), "");
        Files.writeString(dir.resolve("lnm.properties"), "level = 3\nlisten.https = 127.0.0.1:0\n"
                + "listen.https.acceptProxyProtocol = 127.0.0.1\nallowlist = allowlist.properties\n"
                + "limits.perSourceConnections = " + N + "\n" + extra);
        LoadResult r = Config.load(dir.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        return r.config();
    }

    static Services services(Config c) {
        return new Services(c, null, null, null, null, rec -> {});
    }

    static ListenerSpec https(Config c) {
        return c.listeners().get(0);
    }

    @Test
    void everyAddressOfOneSlash64IsOneSource() throws Exception {
        Config c = config("limits.perSourceRate = off\n");
        Services s = services(c);
        assertEquals(64, c.ipv6PrefixLength(), "the default");
        for (int i = 1; i <= N; i++) {
            assertEquals(Admission.ADMITTED, s.admit(https(c), lnm.floor.SourceKeyTest.inSlash64(i), c), "address " + i);
        }
        // 200 more addresses of the same /64: each one is the source's N+1th.
        for (int i = N + 1; i <= N + 200; i++) {
            assertEquals(Admission.PER_SOURCE_CONNECTIONS, s.admit(https(c), lnm.floor.SourceKeyTest.inSlash64(i), c), "address " + i);
        }
        assertEquals(Admission.ADMITTED, s.admit(https(c), ip("2001:db8:1:3::1"), c), "the next /64 is another source");
        assertEquals(Admission.ADMITTED, s.admit(https(c), ip("10.0.0.1"), c));
        assertEquals(N + 2, s.active());

        // Released under the key it was counted under: the /64 has room for one again.
        s.release(Services.key(lnm.floor.SourceKeyTest.inSlash64(3), c));
        assertEquals(Admission.ADMITTED, s.admit(https(c), lnm.floor.SourceKeyTest.inSlash64(250), c));
        assertEquals(Admission.PER_SOURCE_CONNECTIONS, s.admit(https(c), lnm.floor.SourceKeyTest.inSlash64(251), c));
    }

    @Test
    void prefix128CountsEveryAddress() throws Exception {
        Config c = config("limits.perSourceRate = off\nlimits.ipv6PrefixLength = 128\n");
        Services s = services(c);
        for (int i = 1; i <= 200; i++) {
            assertEquals(Admission.ADMITTED, s.admit(https(c), lnm.floor.SourceKeyTest.inSlash64(i), c), "address " + i);
        }
        assertEquals(200, s.active());
    }

    @Test
    void ipv4CountsByAddressAndAMappedAddressAsItsIpv4() throws Exception {
        Config c = config("limits.perSourceRate = off\nlimits.ipv6PrefixLength = 1\n");
        Services s = services(c);
        InetAddress mapped = mapped(10, 0, 0, 1);
        for (int i = 0; i < N; i++) { // 10.0.0.1 and ::ffff:10.0.0.1 take turns: one source
            assertEquals(Admission.ADMITTED, s.admit(https(c), i % 2 == 0 ? ip("10.0.0.1") : mapped, c), "connection " + i);
        }
        assertEquals(Admission.PER_SOURCE_CONNECTIONS, s.admit(https(c), ip("10.0.0.1"), c));
        assertEquals(Admission.PER_SOURCE_CONNECTIONS, s.admit(https(c), mapped, c));
        for (int i = 2; i <= 20; i++) { // a /1 prefix does not touch IPv4: each address is its own
            assertEquals(Admission.ADMITTED, s.admit(https(c), ip("10.0.0." + i), c), "10.0.0." + i);
        }
    }

    @Test
    void originsThroughATrustedPeerAreCountedByPrefixToo() throws Exception {
        Config c = config("limits.perSourceRate = off\n");
        Services s = services(c);
        for (int i = 0; i < N; i++) {
            assertEquals(Admission.ADMITTED, s.admit(https(c), ip("127.0.0.1"), c), "the peer counts in the total only");
            InetAddress k = Services.key(lnm.floor.SourceKeyTest.inSlash64(i + 1), c);
            assertEquals(Admission.ADMITTED, s.admitOrigin(k, c), "origin " + i);
        }
        assertEquals(Admission.PER_SOURCE_CONNECTIONS, s.admitOrigin(Services.key(lnm.floor.SourceKeyTest.inSlash64(99), c), c));
        assertEquals(Admission.ADMITTED, s.admitOrigin(Services.key(ip("2001:db8:9::1"), c), c));
    }

    /** The rate limit's buckets are per key: 20 addresses of one /64 spend one burst of 20. */
    @Test
    void rateLimitKeysAreSources() {
        AtomicLong now = new AtomicLong(1);
        RateLimit limit = new RateLimit(now::get);
        for (int i = 1; i <= 20; i++) {
            assertEquals(RateLimit.Verdict.PASS, limit.admit(SourceKey.of(lnm.floor.SourceKeyTest.inSlash64(i), 64), 10));
        }
        assertEquals(RateLimit.Verdict.REFUSE, limit.admit(SourceKey.of(lnm.floor.SourceKeyTest.inSlash64(21), 64), 10));
        assertEquals(RateLimit.Verdict.PASS, limit.admit(SourceKey.of(lnm.floor.SourceKeyTest.inSlash64(21), 128), 10));
        assertEquals(1 + 1, limit.size());
    }

    static InetAddress ip(String literal) {
        return lnm.floor.SourceKeyTest.ip(literal);
    }

    static InetAddress mapped(int a, int b, int c, int d) {
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        m[12] = (byte) a;
        m[13] = (byte) b;
        m[14] = (byte) c;
        m[15] = (byte) d;
        try {
            return java.net.Inet6Address.getByAddress(null, m, 0);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
