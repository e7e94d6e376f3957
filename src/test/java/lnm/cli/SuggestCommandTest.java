package lnm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lnm suggest} on the command line: its arguments and exit codes. */
class SuggestCommandTest {
    @TempDir
    Path dir;

    private int run(ByteArrayOutputStream out, String... args) {
        return Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), args);
    }

    @Test
    void printsTheFragmentAndTakesDiff() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        Files.writeString(audit, "{\"time\":\"2026-11-30T10:00:00Z\",\"client\":\"10.3.0.5:1\",\"origin\":null,\"sni\":\"a.example\","
                + "\"decision\":\"deny\",\"reason\":\"not_allowlisted\"}\n");
        Path list = dir.resolve("allowlist.properties");
        Files.writeString(list, "b.example =\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, run(out, "suggest", "--diff", list.toString(), audit.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\na.example =\n"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsAreExit2AndUnreadableInputExit1() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(2, run(out, "suggest"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("lnm: suggest needs at least one AUDITFILE"));
        assertEquals(2, run(new ByteArrayOutputStream(), "suggest", "x.jsonl", "--diff"));
        assertEquals(2, run(new ByteArrayOutputStream(), "suggest", "--bogus", "x.jsonl"));
        assertEquals(1, run(new ByteArrayOutputStream(), "suggest", dir.resolve("missing.jsonl").toString()));
        assertEquals(1, run(new ByteArrayOutputStream(), "suggest", dir.toString()));
    }
}
