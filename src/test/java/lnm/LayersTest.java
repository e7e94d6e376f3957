package lnm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packages' layers, as docs/ARCHITECTURE.md draws them ("Layers"): a package uses only
 * packages on a row below its own, or to its left on its own row. Checked from every main
 * source file's import lines and its fully qualified {@code lnm.x.} names in code (comments
 * and string literals do not count: they are not dependencies).
 */
class LayersTest {
    /** The layers, bottom row first; on a row, left to right. The drawing in docs/ARCHITECTURE.md is the same. */
    static final List<List<String>> LAYERS = List.of(
            List.of("wire", "config", "audit", "floor"),
            List.of("tls", "http", "proxy"),
            List.of("dns", "upstream", "side"),
            List.of("net", "probe", "fleet", "importer", "suggest"),
            List.of("admin"),
            List.of("cli"));

    private static final Path MAIN = Path.of("src/main/java/lnm");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+lnm\\.([a-z0-9_]+)", Pattern.MULTILINE);
    /** {@code lnm.x.} in code: an import (static or not) or a fully qualified name. */
    private static final Pattern REFERENCE = Pattern.compile("(?<![\\w.])lnm\\s*\\.\\s*([a-z0-9_]+)\\s*\\.");

    /** Position in the order (row by row, bottom first, left to right), or -1 if not drawn. */
    static int rank(String pkg) {
        int i = 0;
        for (List<String> row : LAYERS) {
            for (String p : row) {
                if (p.equals(pkg)) {
                    return i;
                }
                i++;
            }
        }
        return -1;
    }

    @Test
    void everyPackageIsDrawnOnceAndEveryDrawnPackageExists() throws IOException {
        Set<String> drawn = new TreeSet<>();
        for (List<String> row : LAYERS) {
            for (String p : row) {
                assertTrue(drawn.add(p), p + " is drawn twice");
            }
        }
        Set<String> present = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(MAIN)) {
            dirs.filter(Files::isDirectory).filter(LayersTest::hasSources).forEach(d -> present.add(d.getFileName().toString()));
        }
        assertEquals(present, drawn, "main packages vs the layers drawn: place a new package in LAYERS and in docs/ARCHITECTURE.md");
    }

    @Test
    void noPackageUsesOneAboveIt() throws IOException {
        List<String> upward = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(MAIN)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(files.size() > 100, "found the main sources: " + files.size());
        for (Path f : files) {
            String code = codeOnly(Files.readString(f, StandardCharsets.UTF_8));
            Matcher pm = PACKAGE.matcher(code);
            assertTrue(pm.find(), f + ": no lnm package declaration");
            String pkg = pm.group(1);
            assertTrue(rank(pkg) >= 0, f + ": package " + pkg + " is not drawn");
            Matcher m = REFERENCE.matcher(code);
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg) && !(rank(used) >= 0 && rank(used) < rank(pkg))) {
                    upward.add(f + ":" + line(code, m.start()) + ": " + pkg + " uses " + used);
                }
            }
        }
        assertEquals(List.of(), upward, "uses of a package above (or not below) the user's own, in the order " + LAYERS);
    }

    @Test
    void theDrawingInTheArchitectureDocIsThisOrder() throws IOException {
        String doc = Files.readString(Path.of("docs/ARCHITECTURE.md"), StandardCharsets.UTF_8);
        int section = doc.indexOf("\n## Layers\n");
        assertTrue(section >= 0, "docs/ARCHITECTURE.md has a '## Layers' section");
        int open = doc.indexOf("\n```", section);
        int start = doc.indexOf('\n', open + 1) + 1;
        int close = doc.indexOf("\n```", start);
        assertTrue(open > 0 && close > start, "the Layers section draws the layers in a ``` block");
        List<List<String>> rows = new ArrayList<>();
        for (String line : doc.substring(start, close).split("\n")) {
            if (!line.isBlank()) {
                rows.add(0, List.of(line.trim().split("\\s+")));
            }
        }
        assertEquals(LAYERS, rows, "the drawing (top row first) and LayersTest.LAYERS (bottom row first) differ");
    }

    @Test
    void onlyCodeCounts() {
        String src = "package lnm.audit;\n"
                + "import lnm.config.Key; // lnm.cli.Main in a comment\n"
                + "/** {@link lnm.admin.Admin} */\n"
                + "class X { String s = \"lnm.net.Server\"; char c = '\"'; Object o = lnm.dns.Resolver.class;\n"
                + "  String t = \"\"\"\n    lnm.fleet.Fleet\n    \"\"\"; }\n";
        String code = codeOnly(src);
        List<String> found = new ArrayList<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            found.add(m.group(1) + "@" + line(code, m.start()));
        }
        assertEquals(List.of("config@2", "dns@4"), found);
    }

    private static boolean hasSources(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(f -> f.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int line(String text, int at) {
        int n = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /** The source with comments and the contents of string and char literals blanked (line breaks kept). */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(s, i, end, out);
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                while (end > 0 && s.charAt(end - 1) == '\\') {
                    end = s.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? n : end + 3;
                blank(s, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                int end = Math.min(n, j + 1);
                blank(s, i, end, out);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(String s, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            out.append(s.charAt(k) == '\n' ? '\n' : ' ');
        }
    }
}
