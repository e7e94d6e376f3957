package lnm.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * ClientHellos for tests: real ones from the JDK's own SSLEngine, re-framed copies, and
 * synthetic ones built field by field (large PSK-style and Chromium-style hellos, which a
 * JDK 17 client cannot produce).
 */
final class Hellos {
    static final String AZURE = "management.azure.com";
    static final String[] H2_HTTP11 = {"h2", "http/1.1"};

    private Hellos() {}

    // ---- real hellos -------------------------------------------------------------------

    /** A client engine as lnm's users would configure it; {@code sni} null sends none. */
    static SSLEngine clientEngine(String sni, String[] protocols, String[] alpn) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        // No peer host: the JDK would otherwise add an SNI of its own from it.
        SSLEngine engine = ctx.createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        if (sni != null) {
            params.setServerNames(List.of(new SNIHostName(sni)));
        }
        if (alpn != null) {
            params.setApplicationProtocols(alpn);
        }
        if (protocols != null) {
            params.setProtocols(protocols);
        }
        engine.setSSLParameters(params);
        return engine;
    }

    /** The bytes of the engine's first {@code wrap()}: its ClientHello, as sent on the wire. */
    static byte[] firstFlight(SSLEngine engine) throws SSLException {
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    static byte[] jdk(String sni, String[] protocols, String[] alpn) {
        try {
            return firstFlight(clientEngine(sni, protocols, alpn));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] jdkTls13() {
        return jdk(AZURE, new String[] {"TLSv1.3", "TLSv1.2"}, H2_HTTP11);
    }

    static byte[] jdkTls12() {
        return jdk(AZURE, new String[] {"TLSv1.2"}, H2_HTTP11);
    }

    static byte[] jdkNoSni() {
        return jdk(null, null, null);
    }

    // ---- framing -----------------------------------------------------------------------

    /** The handshake message carried by a sequence of handshake records (payloads joined). */
    static byte[] message(byte[] records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < records.length) {
            int length = ((records[pos + 3] & 0xff) << 8) | (records[pos + 4] & 0xff);
            out.write(records, pos + 5, length);
            pos += 5 + length;
        }
        return out.toByteArray();
    }

    /**
     * Frames a handshake message into records of the given payload sizes, cycling through
     * them; the last record takes what is left.
     */
    static byte[] frame(byte[] message, int... sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        for (int i = 0; pos < message.length; i++) {
            int n = Math.min(sizes[i % sizes.length], message.length - pos);
            out.write(new byte[] {22, 3, 1, (byte) (n >> 8), (byte) n}, 0, 5);
            out.write(message, pos, n);
            pos += n;
        }
        return out.toByteArray();
    }

    /** Frames a message the way a client does: records of at most 2^14 bytes. */
    static byte[] records(byte[] message) {
        return frame(message, 1 << 14);
    }

    // ---- synthetic hellos --------------------------------------------------------------

    /** A ClientHello handshake message: header, fixed fields, and the given extensions. */
    static byte[] clientHello(int legacyVersion, byte[]... extensions) {
        byte[] random = new byte[32];
        Arrays.fill(random, (byte) 0x5a);
        byte[] sessionId = new byte[32];
        Arrays.fill(sessionId, (byte) 0x33);
        byte[] body = cat(
                u16(legacyVersion),
                random,
                vec1(sessionId),
                vec2(u16(0x1301), u16(0x1302), u16(0xc02b), u16(0xc02f)),
                vec1(new byte[] {0}),
                vec2(extensions));
        return cat(new byte[] {1}, u24(body.length), body);
    }

    static byte[] ext(int type, byte[]... data) {
        return cat(u16(type), vec2(data));
    }

    static byte[] sni(String name) {
        return ext(0, vec2(new byte[] {0}, vec2(name.getBytes(StandardCharsets.ISO_8859_1))));
    }

    static byte[] alpn(String... protocols) {
        byte[][] names = new byte[protocols.length][];
        for (int i = 0; i < protocols.length; i++) {
            names[i] = vec1(protocols[i].getBytes(StandardCharsets.ISO_8859_1));
        }
        return ext(16, vec2(names));
    }

    static byte[] supportedVersions(int... versions) {
        byte[][] list = new byte[versions.length][];
        for (int i = 0; i < versions.length; i++) {
            list[i] = u16(versions[i]);
        }
        return ext(43, vec1(cat(list)));
    }

    /**
     * A hello larger than one record: a TLS 1.3 resumption with a pre_shared_key extension
     * (always last, RFC 8446 4.2.11) holding one {@code ticketBytes}-byte ticket.
     */
    static byte[] largePskHello(int ticketBytes) {
        byte[] ticket = new byte[ticketBytes];
        Arrays.fill(ticket, (byte) 0x7e);
        byte[] identities = vec2(cat(vec2(ticket), new byte[] {0, 0, 0x12, 0x34}));
        byte[] binders = vec2(vec1(new byte[32]));
        return clientHello(0x0303,
                sni(AZURE),
                alpn(H2_HTTP11),
                supportedVersions(0x0304),
                ext(45, vec1(new byte[] {1})),                       // psk_key_exchange_modes
                ext(51, vec2(u16(0x001d), vec2(new byte[32]))),      // key_share x25519
                ext(41, identities, binders));                       // pre_shared_key
    }

    /**
     * A hello shaped like current Chromium's: GREASE extensions and versions, an
     * X25519MLKEM768 post-quantum key share of 1216 bytes, an ECH GREASE extension; ~1.8 KB.
     */
    static byte[] chromiumLike() {
        return clientHello(0x0303,
                ext(0x3a3a),                                                  // GREASE
                ext(23),                                                      // extended_master_secret
                ext(0xff01, new byte[] {0}),                                  // renegotiation_info
                ext(10, vec2(u16(0x4a4a), u16(0x11ec), u16(0x001d), u16(0x0017), u16(0x0018))),
                ext(11, vec1(new byte[] {0})),                                // ec_point_formats
                sni("www.Example.COM."),
                ext(35),                                                      // session_ticket
                alpn(H2_HTTP11),
                ext(5, new byte[] {1, 0, 0, 0, 0}),                           // status_request
                ext(13, vec2(u16(0x0403), u16(0x0804), u16(0x0401), u16(0x0503))),
                ext(18),                                                      // signed_cert_timestamps
                ext(51, vec2(                                                 // key_share
                        u16(0x4a4a), vec2(new byte[1]),
                        u16(0x11ec), vec2(new byte[1216]),
                        u16(0x001d), vec2(new byte[32]))),
                ext(45, vec1(new byte[] {1})),                                // psk_key_exchange_modes
                supportedVersions(0x8a8a, 0x0304, 0x0303),
                ext(27, vec1(u16(2))),                                        // compress_certificate
                ext(17613, vec2(vec1("h2".getBytes(StandardCharsets.US_ASCII)))), // application_settings
                ext(0xfe0d, new byte[218]),                                   // ECH GREASE
                ext(0x6a6a, new byte[] {0}));                                 // GREASE
    }

    // ---- byte helpers ------------------------------------------------------------------

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    static byte[] u24(int v) {
        return new byte[] {(byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    static byte[] vec1(byte[]... parts) {
        byte[] data = cat(parts);
        return cat(new byte[] {(byte) data.length}, data);
    }

    static byte[] vec2(byte[]... parts) {
        byte[] data = cat(parts);
        return cat(u16(data.length), data);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
