package lnm.tls;

import java.nio.charset.StandardCharsets;
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
 * <p>Works on int arrays and one scratch byte array per hash; the digest is kept per thread,
 * since this runs for every hello on the event loop.
 */
final class Ja4 {
    static final String EMPTY_HASH = "000000000000";
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Ja4::newDigest);

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
        StringBuilder out = new StringBuilder(36);
        out.append('t').append(versionDigits(version)).append(sni ? 'd' : 'i');
        twoDigits(out, cipherCount);
        twoDigits(out, extCount);
        alpn(out, firstAlpn);
        out.append('_');
        Arrays.sort(ciphers, 0, cipherCount);
        hash(out, ciphers, cipherCount, null, 0);
        out.append('_');
        // sorted in place: the caller's array is scratch, and the order is no longer needed
        int kept = 0;
        for (int i = 0; i < extCount; i++) {
            int t = extensions[i];
            if (t != HelloBody.EXT_SERVER_NAME && t != HelloBody.EXT_ALPN) {
                extensions[kept++] = t;
            }
        }
        Arrays.sort(extensions, 0, kept);
        hash(out, extensions, kept, sigAlgs, sigCount);
        return out.toString();
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

    private static void twoDigits(StringBuilder out, int n) {
        int capped = Math.min(n, 99);
        out.append((char) ('0' + capped / 10)).append((char) ('0' + capped % 10));
    }

    /** First and last character of the first ALPN value, or of its hex when an end is not alphanumeric. */
    static void alpn(StringBuilder out, String first) {
        if (first == null || first.isEmpty()) {
            out.append("00");
            return;
        }
        char a = first.charAt(0);
        char z = first.charAt(first.length() - 1);
        if (alphanumeric(a) && alphanumeric(z)) {
            out.append(a).append(z);
        } else {
            out.append((char) HEX[(a >> 4) & 0xf]).append((char) HEX[z & 0xf]);
        }
    }

    private static boolean alphanumeric(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Appends the 12-digit truncated hash of {@code values} (then {@code _} and {@code tail} if any). */
    private static void hash(StringBuilder out, int[] values, int count, int[] tail, int tailCount) {
        if (count == 0) {
            out.append(EMPTY_HASH);
            return;
        }
        int tailed = tailCount > 0 ? tailCount : 0;
        byte[] text = new byte[5 * (count + tailed)];
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
        MessageDigest md = SHA256.get();
        md.reset();
        md.update(text, 0, n);
        byte[] digest = md.digest();
        for (int i = 0; i < 6; i++) {
            out.append((char) HEX[(digest[i] >> 4) & 0xf]).append((char) HEX[digest[i] & 0xf]);
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
