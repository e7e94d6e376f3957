package lnm.fleet;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A pull as it travels upward, the request body of {@code POST /fleet/v1/pull}: the box's
 * {@link Report} in properties syntax, then a fresh random nonce the box chose for this pull,
 * then the box's Ed25519 signature ({@code fleet.boxKey}) over every byte before the signature
 * line:
 *
 * <pre>
 * name = l2
 * level = 2
 * (the other report fields)
 * nonce = (base64 of 16 random bytes)
 * signature = (base64 of 64 bytes)
 * </pre>
 *
 * Report values never hold a raw line end (they are escaped), so the last two lines are
 * always these two. Relays pass the bytes unchanged: without the box's key they cannot change
 * a field, and the top binds its answer to the nonce (see {@link Answer}), so an answer
 * recorded earlier never fits a later pull.
 *
 * @param nonce        the nonce as sent (base64), echoed in the top's answer
 * @param signedLength how many leading bytes of {@code bytes} the signature covers
 */
record Pull(Report report, String nonce, byte[] bytes, int signedLength, byte[] signature) {
    static final int NONCE_BYTES = 16;
    private static final int MAX_NONCE_BYTES = 64;
    private static final String NONCE = "nonce = ";
    private static final String SIGNATURE = "signature = ";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh nonce for one pull, base64. */
    static String freshNonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return Base64.getEncoder().encodeToString(n);
    }

    /** The signed request body of {@code r} with {@code nonce}. */
    static byte[] encode(Report r, String nonce, PrivateKey boxKey) {
        byte[] signed = (r.encode() + NONCE + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] sig = KeyLines.sign(boxKey, signed);
        byte[] tail = (SIGNATURE + Base64.getEncoder().encodeToString(sig) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(signed, signed.length + tail.length);
        System.arraycopy(tail, 0, out, signed.length, tail.length);
        return out;
    }

    /**
     * Parses a request body strictly (it is checked against the box's keys afterwards);
     * throws {@link IllegalArgumentException} naming what is wrong.
     */
    static Pull parse(byte[] in) {
        if (in.length > Report.MAX_BYTES) {
            throw new IllegalArgumentException("pull of " + in.length + " bytes, at most " + Report.MAX_BYTES);
        }
        if (in.length == 0 || in[in.length - 1] != '\n') {
            throw new IllegalArgumentException("a pull ends with its signature line");
        }
        int sigStart = lineStart(in, in.length - 1);
        String sigLine = new String(in, sigStart, in.length - 1 - sigStart, StandardCharsets.US_ASCII);
        if (sigStart == 0 || !sigLine.startsWith(SIGNATURE)) {
            throw new IllegalArgumentException("no '" + SIGNATURE.trim() + "' line at the end (is the box's lnm older than its top's?)");
        }
        int nonceStart = lineStart(in, sigStart - 1);
        String nonceLine = new String(in, nonceStart, sigStart - 1 - nonceStart, StandardCharsets.US_ASCII);
        if (!nonceLine.startsWith(NONCE)) {
            throw new IllegalArgumentException("no '" + NONCE.trim() + "' line before the signature");
        }
        String nonce = nonceLine.substring(NONCE.length());
        byte[] sig;
        try {
            byte[] n = Base64.getDecoder().decode(nonce);
            if (n.length < NONCE_BYTES || n.length > MAX_NONCE_BYTES) {
                throw new IllegalArgumentException("a nonce has " + NONCE_BYTES + " to " + MAX_NONCE_BYTES + " bytes, not " + n.length);
            }
            sig = Base64.getDecoder().decode(sigLine.substring(SIGNATURE.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad nonce or signature: " + e.getMessage());
        }
        Report r = Report.parse(new String(in, 0, nonceStart, StandardCharsets.UTF_8));
        return new Pull(r, Base64.getEncoder().encodeToString(Base64.getDecoder().decode(nonce)), in, sigStart, sig);
    }

    /** Where the line ending at index {@code end} (its LF) starts. */
    private static int lineStart(byte[] in, int end) {
        int i = end;
        while (i > 0 && in[i - 1] != '\n') {
            i--;
        }
        return i;
    }

    /** Whether the box's signature verifies with one of its key lines. */
    boolean verifiedBy(List<String> keys) {
        return KeyLines.verify(keys, bytes, signedLength, signature);
    }
}
