package lnm.config;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The value formats of the fleet keys that are read here, where every key is validated: the
 * fleet port and {@code fleet.source}, and the one-line form of an Ed25519 public key that
 * {@code fleet.trust} lists ({@code ed25519:} and the 32 raw key bytes in base64). The fleet
 * itself (signing, pulls) builds on these.
 */
public final class FleetValues {
    /** The fleet port when {@code fleet.source = parent} or a host without a port is given. */
    public static final int DEFAULT_PORT = 8477;
    /** How a public key line starts. */
    public static final String KEY_PREFIX = "ed25519:";
    /** The DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key follows it. */
    private static final byte[] X509_HEAD = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int RAW = 32;

    private FleetValues() {}

    /** The {@code fleet.source} value: empty, {@code parent} or a canonical host:port. */
    public static String source(String v) {
        if (v.isEmpty() || v.equalsIgnoreCase("parent")) {
            return v.toLowerCase(Locale.ROOT);
        }
        return HostPort.parse(v, DEFAULT_PORT).toString();
    }

    /** The one-line form of a public key. */
    public static String keyLine(PublicKey k) {
        byte[] enc = k.getEncoded();
        return KEY_PREFIX + Base64.getEncoder().encodeToString(Arrays.copyOfRange(enc, enc.length - RAW, enc.length));
    }

    /** The public key of a line; throws {@link IllegalArgumentException} saying what is wrong. */
    public static PublicKey publicKey(String line) {
        String s = line.trim();
        if (!s.startsWith(KEY_PREFIX)) {
            throw new IllegalArgumentException("'" + s + "' is not a public key line (ed25519:BASE64)");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(s.substring(KEY_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "': bad base64");
        }
        if (raw.length != RAW) {
            throw new IllegalArgumentException("'" + s + "': an Ed25519 key has 32 bytes, not " + raw.length);
        }
        byte[] der = Arrays.copyOf(X509_HEAD, X509_HEAD.length + RAW);
        System.arraycopy(raw, 0, der, X509_HEAD.length, RAW);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("'" + s + "': not an Ed25519 key (" + e.getMessage() + ")");
        }
    }

    /** The {@code fleet.trust} value: distinct public key lines, in the order written. */
    public static List<String> trust(String v) {
        List<String> out = new ArrayList<>();
        if (v.isEmpty()) {
            return List.of();
        }
        for (String raw : v.split(",", -1)) {
            String s = raw.trim();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty entry");
            }
            String norm = keyLine(publicKey(s));
            if (out.contains(norm)) {
                throw new IllegalArgumentException("'" + s + "' is listed twice");
            }
            out.add(norm);
        }
        if (out.size() > 8) {
            throw new IllegalArgumentException(out.size() + " keys, at most 8 (an old and a new one while rotating)");
        }
        return List.copyOf(out);
    }
}
