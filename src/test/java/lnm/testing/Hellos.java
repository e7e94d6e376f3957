package lnm.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Real ClientHello bytes, made by the JDK's own {@code SSLEngine}. */
public final class Hellos {
    private Hellos() {}

    /** A TLS 1.3-capable ClientHello; {@code sni} null for none. */
    public static byte[] clientHello(String sni, String... alpn) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, null, null);
            SSLEngine e = ctx.createSSLEngine(sni, 443);
            e.setUseClientMode(true);
            SSLParameters p = e.getSSLParameters();
            p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            if (alpn.length > 0) {
                p.setApplicationProtocols(alpn);
            }
            e.setSSLParameters(p);
            ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
            e.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            return Arrays.copyOf(out.array(), out.limit());
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
