package lnm.fleet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;

/**
 * The top's answer to one pull (the 200 response body): the box's signed {@link Bundle},
 * unchanged, in an envelope that names the box and the nonce of the pull it answers, signed by
 * the top ({@code fleet.key}) over every byte before the signature line:
 *
 * <pre>
 * lnm-fleet-answer 1
 * box l2-line1
 * nonce (the pull's nonce, base64, as sent)
 * file bundle 412
 * (412 bytes: the signed bundle, then LF)
 * signature (base64 of 64 bytes)
 * </pre>
 *
 * The bundle stays the same for a generation (it is what a box stores and boots from); the
 * envelope is new for every pull. A box takes an answer only with the nonce it has just sent,
 * so an answer recorded earlier, replayed by a relay or anyone on the path, never applies again,
 * on a fresh box with empty state too, and without any clock.
 *
 * @param signedLength how many leading bytes of {@code bytes} the signature covers
 */
record Answer(String box, String nonce, byte[] bundle, byte[] bytes, int signedLength, byte[] signature) {
    static final String MAGIC = "lnm-fleet-answer 1";
    /** A bundle and the envelope's own lines. */
    static final int MAX_BYTES = Bundle.MAX_BYTES + 1024;

    /** Wraps {@code b} for the pull with {@code nonce} and signs the whole. */
    static byte[] sign(Bundle b, String nonce, PrivateKey topKey) {
        return sign(b.box(), b.bytes(), nonce, topKey);
    }

    /** Wraps the bytes of a bundle for {@code box}, as they are, for the pull with {@code nonce}. */
    static byte[] sign(String box, byte[] bundle, String nonce, PrivateKey topKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bundle.length + 256);
        out.writeBytes((MAGIC + "\nbox " + box + "\nnonce " + nonce + "\nfile bundle " + bundle.length + "\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bundle);
        out.write('\n');
        byte[] sig = KeyLines.sign(topKey, out.toByteArray());
        out.writeBytes(("signature " + Base64.getEncoder().encodeToString(sig) + "\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Parses strictly; throws {@link IllegalArgumentException} naming what is wrong. Never trusts a length. */
    static Answer parse(byte[] in) {
        if (in.length > MAX_BYTES) {
            throw new IllegalArgumentException("answer of " + in.length + " bytes, at most " + MAX_BYTES);
        }
        Bundle.Reader r = new Bundle.Reader(in, "answer");
        if (!r.line().equals(MAGIC)) {
            throw new IllegalArgumentException("not an lnm fleet answer (first line is not '" + MAGIC + "')");
        }
        String box = r.field("box");
        String nonce = r.field("nonce");
        byte[] bundle = r.file("bundle");
        int signed = r.pos;
        byte[] sig = r.signature();
        return new Answer(box, nonce, bundle, in, signed, sig);
    }

    /**
     * Why a box named {@code name} that sent {@code nonceSent} must not take this answer, or
     * null if it may look at the bundle inside (which is then checked on its own).
     */
    String refusal(List<String> trust, String name, String nonceSent) {
        if (!KeyLines.verify(trust, bytes, signedLength, signature)) {
            return "answer signature does not verify with any key in fleet.trust";
        }
        if (!box.equals(name)) {
            return "answer is for box '" + shorten(box) + "', this box is '" + name + "'";
        }
        if (!nonce.equals(nonceSent)) {
            return "answer is not for the pull just sent (its nonce differs): an earlier answer replayed";
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() > 63 ? s.substring(0, 63) + "..." : s;
    }
}
