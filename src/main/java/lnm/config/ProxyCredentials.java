package lnm.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The value of {@code egress.proxy.credentials}: the file (as written, relative to the config's
 * folder) holding one line {@code user:password} for the proxy's Basic authentication, and once
 * read, the base64 token of that line. The password is kept only as that token; {@link #toString}
 * and {@code lnm check --print} show the path alone, never the content.
 *
 * <p>{@link #read} refuses a file anyone but its owner may read or write, a file owned by
 * another user than the one running lnm, a link, anything but a regular file, and a content
 * that is not one short line of visible characters with a colon after a non-empty user.
 */
public final class ProxyCredentials {
    /** Longest file accepted. */
    static final int MAX_BYTES = 1024;
    /** No credentials: the proxy is asked without {@code Proxy-Authorization}. */
    public static final ProxyCredentials NONE = new ProxyCredentials("", null);

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final String path;
    private final String token;

    private ProxyCredentials(String path, String token) {
        this.path = path;
        this.token = token;
    }

    /** The key's value as written: a path not read yet ({@link #read} reads it), or {@link #NONE}. */
    static ProxyCredentials named(String path) {
        return path.isEmpty() ? NONE : new ProxyCredentials(path, null);
    }

    /** The path as written in the config ({@code ""} for none). */
    public String path() {
        return path;
    }

    /** Whether a file is named. */
    public boolean isSet() {
        return !path.isEmpty();
    }

    /** The base64 of {@code user:password} for {@code Proxy-Authorization: Basic}, or null for none. */
    public String basicToken() {
        return token;
    }

    /**
     * Reads {@code file} (this value's path resolved by the loader) and returns the value with its
     * token.
     *
     * @throws IllegalArgumentException saying what is wrong, never quoting the content
     */
    ProxyCredentials read(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                        ? file + " is not a regular file" : file + " does not exist");
            }
            Set<PosixFilePermission> perms;
            try {
                perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            } catch (UnsupportedOperationException e) {
                throw new IllegalArgumentException(file + ": cannot check who may read it (no POSIX permissions here)");
            }
            Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
            open.addAll(perms);
            open.retainAll(OTHERS);
            if (!open.isEmpty()) {
                throw new IllegalArgumentException(file + " may be read or written by others (" + PosixFilePermissions.toString(perms)
                        + "); allow its owner only: chmod 600 " + file);
            }
            String me = System.getProperty("user.name");
            UserPrincipal owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS);
            if (me != null && owner != null && !owner.getName().equals(me)) {
                throw new IllegalArgumentException(file + " is owned by " + owner.getName() + ", not by " + me
                        + ", the user lnm runs as");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + " is longer than " + MAX_BYTES + " bytes; expected one line user:password");
            }
            byte[] raw = Files.readAllBytes(file);
            return new ProxyCredentials(path, token(raw, file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    /** The base64 token of the file's one line; refuses anything else without quoting it. */
    static String token(byte[] raw, Path file) {
        int end = raw.length;
        if (end > 0 && raw[end - 1] == '\n') {
            end--;
            if (end > 0 && raw[end - 1] == '\r') {
                end--;
            }
        }
        if (end == 0) {
            throw new IllegalArgumentException(file + " is empty; expected one line user:password");
        }
        int colon = -1;
        for (int i = 0; i < end; i++) {
            int b = raw[i] & 0xff;
            if (b == '\n' || b == '\r') {
                throw new IllegalArgumentException(file + " holds more than one line; expected one line user:password");
            }
            if (b < 0x20 || b == 0x7f) {
                throw new IllegalArgumentException(file + " holds a control character; expected one line user:password");
            }
            if (b == ':' && colon < 0) {
                colon = i;
            }
        }
        if (colon <= 0) {
            throw new IllegalArgumentException(file + " has no user before a colon; expected one line user:password");
        }
        byte[] line = new byte[end];
        System.arraycopy(raw, 0, line, 0, end);
        return Base64.getEncoder().encodeToString(line);
    }

    /** The path only: the token never reaches a log. */
    @Override
    public String toString() {
        return path;
    }
}
