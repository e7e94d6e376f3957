package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config fingerprint: SHA-256 over the path and a file's bytes (or that it is missing), and
 * the fingerprint a loaded config carries is of what the files held when it was read, though
 * the hash is computed only when first asked.
 */
class SourceDigestTest {
    @TempDir
    Path dir;

    private static String sha256(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static byte[] pathBytes(Path p) {
        return p.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fingerprintOfAFileItsAbsenceAndNoFile() throws Exception {
        Path f = Files.writeString(dir.resolve("a.properties"), "level = 3\n");
        assertEquals(sha256(pathBytes(f), new byte[] {1}, "level = 3\n".getBytes(StandardCharsets.UTF_8)),
                SourceDigest.file(f));
        Path missing = dir.resolve("missing.properties");
        assertEquals(sha256(pathBytes(missing), new byte[] {0}), SourceDigest.file(missing));
        assertEquals(sha256(), SourceDigest.file(null));
        // an empty file and a missing one differ, and so do the same bytes under another name
        Path empty = Files.writeString(dir.resolve("empty.properties"), "");
        String emptyDigest = SourceDigest.file(empty);
        Files.delete(empty);
        assertNotEquals(SourceDigest.file(empty), emptyDigest);
        Path copy = Files.writeString(dir.resolve("b.properties"), "level = 3\n");
        assertNotEquals(SourceDigest.file(f), SourceDigest.file(copy));
    }

    @Test
    void unreadableFileHashesAsSuch() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("folder.properties")); // reading a folder fails
        String d = SourceDigest.file(folder);
        assertEquals(64, d.length());
        assertNotEquals(SourceDigest.file(dir.resolve("nothing-here")), d);
    }

    @Test
    void loadedConfigCarriesTheContentItWasReadFromEvenWhenAskedLater() throws Exception {
        Path allow = Files.writeString(dir.resolve("allowlist.properties"), "example.com = direct\n");
        Path conf = Files.writeString(dir.resolve("lnm.properties"), "listen.https = 127.0.0.1:8443\n");
        SourceDigest before = SourceDigest.of(conf, allow);
        LoadResult r = Config.load(conf);
        assertTrue(r.ok(), () -> r.problems().toString());
        // both files change after the load, before anyone asks for the fingerprint
        Files.writeString(allow, "example.org = direct\n");
        Files.writeString(conf, "listen.https = 127.0.0.1:9443\n");
        assertEquals(before, r.config().loadedFrom());
        assertEquals(before, r.config().loadedFrom()); // asked again: the same value
        assertNotEquals(SourceDigest.of(conf, allow), r.config().loadedFrom());
    }
}
