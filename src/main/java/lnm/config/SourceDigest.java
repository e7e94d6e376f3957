package lnm.config;

import java.nio.file.Path;

/**
 * The fingerprint of the two files a config is read from: for each, SHA-256 over its absolute
 * path and its bytes (a missing or unreadable file hashes as such, so its return is a change).
 *
 * <p>The loader takes each file's content ({@link SourceSnapshot}) just before it reads the file, so a change that
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
        return SourceSnapshot.take(p).digest();
    }
}
