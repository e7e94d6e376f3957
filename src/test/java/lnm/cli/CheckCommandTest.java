package lnm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lnm check}: warnings keep exit 0, {@code --strict} makes them failures. */
class CheckCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, List<String> lines) {}

    private Run check(String allowlist, String... options) throws Exception {
        Files.writeString(dir.resolve("lnm.properties"), "listen.https = 127.0.0.1:8443\nallowlist = allowlist.properties\n");
        Files.writeString(dir.resolve("allowlist.properties"), allowlist);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] args = new String[3 + options.length];
        args[0] = "check";
        args[1] = "--config";
        args[2] = dir.resolve("lnm.properties").toString();
        System.arraycopy(options, 0, args, 3, options.length);
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void aWildcardAtAPublicSuffixWarnsAndStrictFails() throws Exception {
        String list = "management.azure.com = direct\n*.com = direct\n";
        String file = dir.resolve("allowlist.properties").toString();
        Run r = check(list);
        assertEquals(0, r.exit(), r.lines().toString());
        assertTrue(r.lines().get(0).startsWith(file + ":2: warning: '*.com' allows every name under the public suffix"), r.lines().toString());
        assertTrue(r.lines().get(1).endsWith("2 allowlist rule(s) in " + file + "; 1 warning(s))"), r.lines().toString());

        Run strict = check(list, "--strict");
        assertEquals(1, strict.exit(), strict.lines().toString());
        assertEquals(r.lines().get(0), strict.lines().get(0));
        assertEquals("1 warning(s); " + dir.resolve("lnm.properties") + " is not accepted with --strict", strict.lines().get(1));
    }

    @Test
    void withoutWarningsStrictPasses() throws Exception {
        Run r = check("management.azure.com = direct\n", "--strict");
        assertEquals(0, r.exit(), r.lines().toString());
        assertEquals(1, r.lines().size(), r.lines().toString());
        assertTrue(r.lines().get(0).endsWith("1 allowlist rule(s) in " + dir.resolve("allowlist.properties") + ")"), r.lines().get(0));
    }
}
