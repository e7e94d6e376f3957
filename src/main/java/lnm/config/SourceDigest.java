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
 * The fingerprint of the two files a config is read from: for each, SHA-256 over its absolute
 * path and its bytes (a missing or unreadable file hashes as such, so its return is a change).
 *
 * <p>The loader takes each file's fingerprint just before it reads the file, so a change that
 * lands while or after the config is loaded always shows as a difference from {@link
 * Config#loadedFrom()}; the config watcher compares what the files hold with that.
 *
 * @param config the fingerprint of {@code lnm.properties}
 * @param allowlist the fingerprint of the allowlist file
 */
public record SourceDigest(String config, String allowlist) {

    /** The fingerprint of both files as they are now. */
    public static SourceDigest of(Path config, Path allowlist) {
        return new SourceDigest(file(config), file(allowlist));
    }

    /** The fingerprint of one file as it is now; {@code null} hashes as "no file named". */
    public static String file(Path p) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        if (p == null) {
            return HexFormat.of().formatHex(md.digest());
        }
        md.update(p.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        try {
            byte[] b = Files.readAllBytes(p);
            md.update((byte) 1);
            md.update(b);
        } catch (NoSuchFileException e) {
            md.update((byte) 0);
        } catch (IOException | RuntimeException e) {
            md.update((byte) 2);
            md.update(String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
