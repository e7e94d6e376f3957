package lnm.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import lnm.config.FleetValues;

/**
 * Ed25519 keys of the fleet (the JDK's own implementation, RFC 8032).
 *
 * <p>The private key is a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}, the form
 * {@code openssl genpkey -algorithm ed25519} writes), readable by its owner only. A public key
 * travels as one line, {@code ed25519:} and the 32 raw key bytes in base64, which is what
 * {@code fleet.trust} lists; that line format is read and written by {@link FleetValues}, where
 * the config checks {@code fleet.trust}.
 */
public final class KeyLines {
    private KeyLines() {}

    /** A fresh key pair. */
    static KeyPair generate() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** The one-line form of a public key ({@link FleetValues#keyLine}). */
    static String line(PublicKey k) {
        return FleetValues.keyLine(k);
    }

    /** The public key of a line ({@link FleetValues#publicKey}). */
    static PublicKey publicKey(String line) {
        return FleetValues.publicKey(line);
    }

    /** Writes a new key pair to {@code file} (private, mode 0600) and {@code file.pub}; never overwrites. */
    static String writePair(Path file) throws IOException, GeneralSecurityException {
        KeyPair kp = generate();
        String pub = line(kp.getPublic());
        Path pubFile = pubFile(file);
        if (Files.exists(file) || Files.exists(pubFile)) {
            throw new IOException((Files.exists(file) ? file : pubFile) + " exists; not overwriting a key");
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(kp.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        Files.writeString(pubFile, pub + "\n", StandardCharsets.US_ASCII);
        return pub;
    }

    static Path pubFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".pub");
    }

    /** Reads a PKCS#8 PEM Ed25519 private key; throws with a message fit for an operator. */
    static PrivateKey readPrivate(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int b = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int e = text.indexOf("-----END PRIVATE KEY-----");
        if (b < 0 || e < b) {
            throw new IOException(file + ": not a PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(text.substring(b + 27, e));
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException ex) {
            throw new IOException(file + ": not an Ed25519 private key (" + ex.getMessage() + ")");
        }
    }

    static byte[] sign(PrivateKey k, byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(k);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Whether {@code sig} over {@code data} verifies with one of the trusted key lines. */
    static boolean verify(List<String> trust, byte[] data, int len, byte[] sig) {
        for (String line : trust) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(publicKey(line));
                s.update(data, 0, len);
                if (s.verify(sig)) {
                    return true;
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // a malformed signature is simply not valid
            }
        }
        return false;
    }
}
