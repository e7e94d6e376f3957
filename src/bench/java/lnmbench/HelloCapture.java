package lnmbench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Writes the first flight of a real TLS client, the JDK's own SSLEngine, to a file: the
 * ClientHello record the load generator sends on every benchmark connection.
 *
 * <p>Usage: {@code HelloCapture OUT_FILE [SNI]} (SNI defaults to {@code bench.example}).
 */
public final class HelloCapture {
    private HelloCapture() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String sni = args.length > 1 ? args[1] : "bench.example";
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(sni)));
        params.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        engine.setSSLParameters(params);
        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), net);
        net.flip();
        byte[] bytes = new byte[net.remaining()];
        net.get(bytes);
        if (bytes.length < 6 || bytes[0] != 22) {
            throw new IllegalStateException("SSLEngine produced no handshake record");
        }
        int recordLen = ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
        if (5 + recordLen != bytes.length) {
            throw new IllegalStateException("expected exactly one record, got " + bytes.length + " bytes");
        }
        Files.write(out, bytes);
        System.out.println("HelloCapture: " + bytes.length + " bytes, SNI " + sni + " -> " + out);
    }
}
