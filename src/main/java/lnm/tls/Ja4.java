package lnm.tls;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The JA4 TLS client fingerprint (FoxIO's published specification) of a ClientHello, from the
 * values the parser collected: {@code a_b_c}, e.g. {@code t13d1516h2_8daaf6152771_e5627efa2ab1}.
 *
 * <ul>
 *   <li>a: {@code t} (TLS over TCP), the version (the highest non-GREASE value of
 *       supported_versions, else the hello's legacy version: {@code 13 12 11 10 s3 s2}, else
 *       {@code 00}), {@code d} when a server_name extension is present else {@code i}, the
 *       number of cipher suites and of extensions without GREASE (two digits, at most 99), and
 *       the first and last character of the first ALPN value ({@code 00} without one; the first
 *       and last hex digit of its bytes when either end byte is not ASCII alphanumeric);</li>
 *   <li>b: the first 12 hex digits of SHA-256 over the sorted cipher suites as lowercase 4-digit
 *       hex, comma-joined; {@code 000000000000} when there are none;</li>
 *   <li>c: the same over the sorted extensions without server_name (0000) and ALPN (0010), then
 *       {@code _} and the signature algorithms in their order (no {@code _} when there are none);
 *       {@code 000000000000} when no extension is left.</li>
 * </ul>
 *
 * <p>This runs for every hello on the event loop, so it allocates only the result: the digest,
 * the hex text being hashed, the fingerprint's bytes and the value arrays the parser fills
 * ({@link #ciphers}, {@link #extensionTypes}, {@link #signatureAlgorithms}) are kept per thread,
 * each of a size a real hello fits in; a hostile or unusual hello that needs more gets arrays of
 * its own for that parse, so what a thread keeps stays small. One parse uses them at a time: the
 * parser is not reentrant on a thread and calls {@link #of} last.
 */
final class Ja4 {
    static final String EMPTY_HASH = "000000000000";
    /** Length of a fingerprint: a (10) _ b (12) _ c (12). */
    static final int LENGTH = 36;
    /** Hex text kept per thread for hashing: a real hello's lists (about 60 values) fit. */
    static final int KEPT_TEXT = 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** What one thread reuses from hello to hello. */
    private static final class Scratch {
        final MessageDigest sha256 = newDigest();
        final byte[] text = new byte[KEPT_TEXT];
        final byte[] digest = new byte[32];
        final byte[] out = new byte[LENGTH];
        final int[] ciphers = new int[128];
        final int[] types = new int[64];
        final int[] sigAlgs = new int[64];
    }

    /** An array for {@code n} cipher suites, valid until the next parse on this thread. */
    static int[] ciphers(int n) {
        int[] kept = SCRATCH.get().ciphers;
        return n <= kept.length ? kept : new int[n];
    }

    /** An array to start the extension types in (grown by copying), valid until the next parse on this thread. */
    static int[] extensionTypes() {
        return SCRATCH.get().types;
    }

    /** An array for {@code n} signature algorithms, valid until the next parse on this thread. */
    static int[] signatureAlgorithms(int n) {
        int[] kept = SCRATCH.get().sigAlgs;
        return n <= kept.length ? kept : new int[n];
    }

    private Ja4() {}

    /**
     * The fingerprint.
     *
     * @param version     the version code that decides the version digits
     * @param sni         whether the hello carries a server_name extension
     * @param ciphers     the cipher suites, GREASE already removed, in {@code [0, cipherCount)}; sorted here
     * @param extensions  the extension types in their order, GREASE already removed, in {@code [0, extCount)}
     * @param firstAlpn   the first ALPN protocol (one char per byte), or null
     * @param sigAlgs     the signature algorithms in their order, GREASE already removed, in {@code [0, sigCount)}
     */
    static String of(int version, boolean sni, int[] ciphers, int cipherCount, int[] extensions, int extCount,
            String firstAlpn, int[] sigAlgs, int sigCount) {
        Scratch s = SCRATCH.get();
        byte[] out = s.out;
        String v = versionDigits(version);
        out[0] = 't';
        out[1] = (byte) v.charAt(0);
        out[2] = (byte) v.charAt(1);
        out[3] = (byte) (sni ? 'd' : 'i');
        twoDigits(out, 4, cipherCount);
        twoDigits(out, 6, extCount);
        alpn(out, 8, firstAlpn);
        out[10] = '_';
        Arrays.sort(ciphers, 0, cipherCount);
        hash(s, 11, ciphers, cipherCount, null, 0);
        out[23] = '_';
        // sorted in place: the caller's array is scratch, and the order is no longer needed
        int kept = 0;
        for (int i = 0; i < extCount; i++) {
            int t = extensions[i];
            if (t != HelloBody.EXT_SERVER_NAME && t != HelloBody.EXT_ALPN) {
                extensions[kept++] = t;
            }
        }
        Arrays.sort(extensions, 0, kept);
        hash(s, 24, extensions, kept, sigAlgs, sigCount);
        return new String(out, 0, LENGTH, StandardCharsets.ISO_8859_1);
    }

    /** The two version characters of a version code. */
    static String versionDigits(int version) {
        return switch (version) {
            case 0x0304 -> "13";
            case 0x0303 -> "12";
            case 0x0302 -> "11";
            case 0x0301 -> "10";
            case 0x0300 -> "s3";
            case 0x0002 -> "s2";
            default -> "00";
        };
    }

    private static void twoDigits(byte[] out, int at, int n) {
        int capped = Math.min(n, 99);
        out[at] = (byte) ('0' + capped / 10);
        out[at + 1] = (byte) ('0' + capped % 10);
    }

    /** First and last character of the first ALPN value, or of its hex when an end is not alphanumeric. */
    static void alpn(byte[] out, int at, String first) {
        if (first == null || first.isEmpty()) {
            out[at] = '0';
            out[at + 1] = '0';
            return;
        }
        char a = first.charAt(0);
        char z = first.charAt(first.length() - 1);
        if (alphanumeric(a) && alphanumeric(z)) {
            out[at] = (byte) a;
            out[at + 1] = (byte) z;
        } else {
            out[at] = HEX[(a >> 4) & 0xf];
            out[at + 1] = HEX[z & 0xf];
        }
    }

    private static boolean alphanumeric(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /**
     * Writes at {@code s.out[at]} the 12-digit truncated hash of {@code values} as comma-joined
     * hex (then {@code _} and {@code tail} likewise, if it has any).
     */
    private static void hash(Scratch s, int at, int[] values, int count, int[] tail, int tailCount) {
        byte[] out = s.out;
        if (count == 0) {
            for (int i = 0; i < 12; i++) {
                out[at + i] = '0';
            }
            return;
        }
        int tailed = tailCount > 0 ? tailCount : 0;
        int need = 5 * (count + tailed);
        byte[] text = need <= s.text.length ? s.text : new byte[need];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                text[n++] = ',';
            }
            n = hex4(text, n, values[i]);
        }
        for (int i = 0; i < tailed; i++) {
            text[n++] = (byte) (i == 0 ? '_' : ',');
            n = hex4(text, n, tail[i]);
        }
        MessageDigest md = s.sha256;
        md.update(text, 0, n);
        byte[] digest = s.digest;
        try {
            md.digest(digest, 0, digest.length); // also resets the digest for the next hash
        } catch (DigestException e) {
            // the array is exactly SHA-256's length, which digest(byte[], int, int) accepts
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < 6; i++) {
            out[at + 2 * i] = HEX[(digest[i] >> 4) & 0xf];
            out[at + 2 * i + 1] = HEX[digest[i] & 0xf];
        }
    }

    private static int hex4(byte[] into, int at, int v) {
        into[at] = HEX[(v >> 12) & 0xf];
        into[at + 1] = HEX[(v >> 8) & 0xf];
        into[at + 2] = HEX[(v >> 4) & 0xf];
        into[at + 3] = HEX[v & 0xf];
        return at + 4;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // every Java SE runtime must provide SHA-256 (MessageDigest's documentation)
            throw new IllegalStateException("SHA-256 missing from this runtime", e);
        }
    }
}
