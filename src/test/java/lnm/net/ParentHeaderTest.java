package lnm.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.config.Via;
import lnm.proxy.ProxyHeader;
import lnm.proxy.ProxyV2;
import lnm.testing.TestConfig;
import lnm.wire.ParseResult;

/** What a box sends its parent first: a PROXY v2 header only to a parent, only with {@code parent.proxyProtocol = v2}. */
class ParentHeaderTest {
    @TempDir
    Path dir;

    private final InetSocketAddress origin = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private final InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 443);

    private Config config(String more) throws Exception {
        Path f = TestConfig.write(Files.createDirectories(dir.resolve("c" + more.hashCode())),
                "listen.https = 127.0.0.1:0\nparent = 127.0.0.1:8443\n" + more, "a.example =\n", Map.of());
        LoadResult r = Config.load(f);
        assertEquals(true, r.ok(), r.problems().toString());
        return r.config();
    }

    @Test
    void aParentThatWantsItGetsTheOriginInAProxyV2Header() throws Exception {
        byte[] h = ParentHeader.of(config("parent.proxyProtocol = v2\n"), Via.PARENT, origin, local);
        ParseResult<ProxyHeader> r = ProxyV2.parse(ByteBuffer.wrap(h));
        ParseResult.Parsed<ProxyHeader> p = (ParseResult.Parsed<ProxyHeader>) r;
        assertEquals(h.length, p.consumed());
        assertArrayEquals(ProxyV2.encode(origin, local), h);
    }

    @Test
    void nothingOtherwise() throws Exception {
        assertEquals(0, ParentHeader.of(config(""), Via.PARENT, origin, local).length, "parent.proxyProtocol = none");
        Config v2 = config("parent.proxyProtocol = v2\n");
        assertEquals(0, ParentHeader.of(v2, Via.DIRECT, origin, local).length);
        assertEquals(0, ParentHeader.of(v2, Via.FIXED, origin, local).length);
    }
}
