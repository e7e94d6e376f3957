package lnm.hardening;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ClientHello bytes built field by field, so a test can say exactly what is in them: which
 * extensions, in which order, repeated or not, how many names the server_name list holds, and
 * how the handshake message is cut into records. Used by the fuzz test (as seeds whose right
 * answer is known) and by the tests that send hostile hellos to a running appliance.
 */
final class HelloBuilder {
    static final int EXT_SERVER_NAME = 0;
    static final int EXT_ALPN = 16;
    static final int EXT_SUPPORTED_VERSIONS = 43;

    /** One extension as it goes on the wire: type and opaque data. */
    record Ext(int type, byte[] data) {
        @Override
        public String toString() {
            return "ext " + type + " (" + data.length + " bytes)";
        }
    }

    private int legacyVersion = 0x0303;
    private byte[] sessionId = new byte[32];
    private byte[] cipherSuites = u16s(0x1301, 0x1302, 0xc02b, 0xc02f);
    private byte[] compression = {0};
    private final List<Ext> extensions = new ArrayList<>();
    private boolean omitExtensionsBlock;

    HelloBuilder legacyVersion(int v) {
        legacyVersion = v;
        return this;
    }

    HelloBuilder sessionId(byte[] id) {
        sessionId = id.clone();
        return this;
    }

    HelloBuilder cipherSuites(int... suites) {
        cipherSuites = u16s(suites);
        return this;
    }

    /** A TLS 1.2-style hello with no extensions block at all. */
    HelloBuilder noExtensionsBlock() {
        omitExtensionsBlock = true;
        return this;
    }

    HelloBuilder ext(Ext e) {
        extensions.add(e);
        return this;
    }

    HelloBuilder ext(int type, byte[] data) {
        return ext(new Ext(type, data));
    }

    List<Ext> extensions() {
        return extensions;
    }

    /** The handshake message: type, 24-bit length, body. */
    byte[] message() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(u16(legacyVersion));
        byte[] random = new byte[32];
        Arrays.fill(random, (byte) 0x5a);
        body.writeBytes(random);
        body.writeBytes(vec1(sessionId));
        body.writeBytes(vec2(cipherSuites));
        body.writeBytes(vec1(compression));
        if (!omitExtensionsBlock) {
            ByteArrayOutputStream ext = new ByteArrayOutputStream();
            for (Ext e : extensions) {
                ext.writeBytes(u16(e.type()));
                ext.writeBytes(vec2(e.data()));
            }
            body.writeBytes(vec2(ext.toByteArray()));
        }
        byte[] b = body.toByteArray();
        return cat(new byte[] {1}, u24(b.length), b);
    }

    /** The message in one handshake record. */
    byte[] build() {
        return records(message());
    }

    /** The message in as many records as needed (at most 2^14 bytes each). */
    static byte[] records(byte[] message) {
        List<Integer> sizes = new ArrayList<>();
        for (int left = message.length; left > 0; left -= Math.min(left, 1 << 14)) {
            sizes.add(Math.min(left, 1 << 14));
        }
        return frame(message, sizes.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The message cut into records of the given payload sizes (the last one takes the rest). */
    static byte[] frame(byte[] message, int... sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        for (int i = 0; pos < message.length; i++) {
            int n = i < sizes.length - 1 ? Math.min(sizes[i], message.length - pos) : message.length - pos;
            out.writeBytes(new byte[] {22, 3, 1});
            out.writeBytes(u16(n));
            out.write(message, pos, n);
            pos += n;
        }
        return out.toByteArray();
    }

    // ---- extension data ---------------------------------------------------------------------

    /** A server_name extension with one host_name. */
    static Ext sni(String host) {
        return sniEntries(entry(0, host.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** A server_name extension with a host_name of raw bytes (non-ASCII, NUL, ...). */
    static Ext sniRaw(byte[] host) {
        return sniEntries(entry(0, host));
    }

    /** A server_name extension listing the given (name_type, name) entries, in order. */
    static Ext sniEntries(byte[]... entries) {
        return new Ext(EXT_SERVER_NAME, vec2(cat(entries)));
    }

    /** One ServerName entry: name_type, then opaque HostName&lt;1..2^16-1&gt;. */
    static byte[] entry(int nameType, byte[] name) {
        return cat(new byte[] {(byte) nameType}, vec2(name));
    }

    static Ext alpn(String... protocols) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String p : protocols) {
            list.writeBytes(vec1(p.getBytes(StandardCharsets.ISO_8859_1)));
        }
        return new Ext(EXT_ALPN, vec2(list.toByteArray()));
    }

    static Ext supportedVersions(int... versions) {
        return new Ext(EXT_SUPPORTED_VERSIONS, vec1(u16s(versions)));
    }

    // ---- byte helpers -----------------------------------------------------------------------

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    static byte[] u24(int v) {
        return new byte[] {(byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    static byte[] u16s(int... values) {
        byte[] out = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            out[2 * i] = (byte) (values[i] >> 8);
            out[2 * i + 1] = (byte) values[i];
        }
        return out;
    }

    static byte[] vec1(byte[] b) {
        return cat(new byte[] {(byte) b.length}, b);
    }

    static byte[] vec2(byte[] b) {
        return cat(u16(b.length), b);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
