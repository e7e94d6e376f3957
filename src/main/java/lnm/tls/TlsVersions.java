package lnm.tls;

/**
 * Names of protocol versions as they appear in audit records, and GREASE detection.
 */
final class TlsVersions {
    private TlsVersions() {}

    /** The audit name of a version code: {@code "TLSv1.2"}, or {@code "0x0305"} when unknown. */
    static String name(int version) {
        return switch (version) {
            case 0x0304 -> "TLSv1.3";
            case 0x0303 -> "TLSv1.2";
            case 0x0302 -> "TLSv1.1";
            case 0x0301 -> "TLSv1.0";
            case 0x0300 -> "SSLv3";
            case 0x0002 -> "SSLv2"; // the version field of a genuine SSLv2 ClientHello
            default -> String.format("0x%04x", version & 0xffff);
        };
    }

    /**
     * True for the reserved GREASE values {@code 0x0a0a, 0x1a1a, ... 0xfafa} (RFC 8701), which
     * clients sprinkle into version, cipher and extension lists so that servers keep tolerating
     * unknown values; they never mean anything and must not count as "highest offered".
     */
    static boolean isGrease(int value) {
        return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
    }
}
