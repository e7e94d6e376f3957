package lnm.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One file as it was at one moment, kept until its fingerprint is asked for: the loader takes
 * it just before it reads the file (so a later change differs from it) and the hash is computed
 * later, off the path to the listeners accepting. The fingerprint is {@link SourceDigest#file}'s:
 * SHA-256 over the absolute path, then 1 and the bytes, 0 for a missing file, or 2 and the
 * error's message for an unreadable one; {@code null} (no file named) hashes as nothing.
 */
final class SourceSnapshot {
    private final byte[] path; // null: no file named
    private final byte outcome; // 1 read, 0 missing, 2 unreadable
    private final byte[] content; // the bytes, or the error's message

    private SourceSnapshot(byte[] path, byte outcome, byte[] content) {
        this.path = path;
        this.outcome = outcome;
        this.content = content;
    }

    /** The file {@code p} as it is now ({@code null}: no file named). */
    static SourceSnapshot take(Path p) {
        if (p == null) {
            return new SourceSnapshot(null, (byte) 0, null);
        }
        byte[] path = p.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
        try {
            return new SourceSnapshot(path, (byte) 1, Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return new SourceSnapshot(path, (byte) 0, null);
        } catch (IOException | RuntimeException e) {
            return new SourceSnapshot(path, (byte) 2, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The SHA-256 fingerprint, lowercase hex. */
    String digest() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        if (path != null) {
            md.update(path);
            md.update(outcome);
            if (content != null) {
                md.update(content);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
