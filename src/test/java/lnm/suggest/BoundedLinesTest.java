package lnm.suggest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines of bounded length, plain or gzip whatever the name. */
class BoundedLinesTest {
    @TempDir
    Path dir;

    private static List<String> all(BoundedLines in) throws Exception {
        List<String> out = new ArrayList<>();
        while (in.next()) {
            out.add(in.text());
        }
        return out;
    }

    @Test
    void longLinesAreSkippedAcrossChunksAndTheLastLineNeedsNoEnd() throws Exception {
        String fits = "y".repeat(100_000);
        String text = "a\r\n" + "x".repeat(200_000) + "\n\n" + fits + "\nlast";
        Path p = dir.resolve("audit.jsonl");
        Files.writeString(p, text);
        try (BoundedLines in = BoundedLines.open(p, 100_000)) {
            assertEquals(List.of("a", "", fits, "last"), all(in));
            assertEquals(5, in.lines());
            assertEquals(1, in.tooLong());
        }
    }

    @Test
    void gzipIsToldByItsMagicNotItsName() throws Exception {
        Path p = dir.resolve("audit.jsonl.3");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write("one not_allowlisted\ntwo\n".getBytes(StandardCharsets.UTF_8));
        }
        try (BoundedLines in = BoundedLines.open(p, 64)) {
            assertTrue(in.next());
            assertTrue(in.mentions("not_allowlisted".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(in.next());
            assertFalse(in.mentions("not_allowlisted".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("two", in.text());
            assertFalse(in.next());
        }
        Path empty = dir.resolve("empty.gz");
        Files.write(empty, new byte[0]);
        try (BoundedLines in = BoundedLines.open(empty, 64)) {
            assertFalse(in.next());
        }
    }
}
