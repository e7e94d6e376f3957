package lnm.tls;

/**
 * Fatal TLS alert records that lnm writes to a client it refuses, before closing, so that the
 * client prints a clear error ("received fatal alert: access_denied") instead of a bare
 * "connection reset" that sends operators hunting for network faults.
 *
 * <p>The alert is sent in the clear, as the first and only record from "server" to client;
 * clients accept a plaintext alert before the ServerHello in every TLS version (RFC 8446 6).
 */
public final class Alerts {
    /** The name is valid but this client may not reach it (RFC 5246 7.2.2): the usual deny. */
    public static final int ACCESS_DENIED = 49;
    /** No or an unknown server name (RFC 6066 3). */
    public static final int UNRECOGNIZED_NAME = 112;
    public static final int HANDSHAKE_FAILURE = 40;
    /** The hello could not be parsed. */
    public static final int DECODE_ERROR = 50;
    /** lnm's own fault, e.g. the upstream could not be reached. */
    public static final int INTERNAL_ERROR = 80;

    private static final int CONTENT_ALERT = 21;
    private static final int LEVEL_FATAL = 2;

    private Alerts() {}

    /**
     * The 7-byte alert record {@code 15 03 03 00 02 02 <description>}. The record version is
     * TLS 1.2's 0x0303, the value TLS 1.3 requires (RFC 8446 5.1); before a version is
     * negotiated clients check only the major version of what they receive.
     *
     * @throws IllegalArgumentException if {@code description} does not fit one byte
     */
    public static byte[] fatal(int description) {
        if (description < 0 || description > 255) {
            throw new IllegalArgumentException("alert description " + description + " is not a byte");
        }
        return new byte[] {CONTENT_ALERT, 3, 3, 0, 2, LEVEL_FATAL, (byte) description};
    }
}
