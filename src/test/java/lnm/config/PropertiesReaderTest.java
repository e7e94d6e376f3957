package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PropertiesReaderTest {
    private static final Path F = Path.of("t.properties");

    private static List<PropertiesReader.Entry> entries(String text) {
        PropertiesReader.Result r = PropertiesReader.parse(F, text);
        assertEquals(List.of(), r.problems(), "problems");
        return r.entries();
    }

    private static PropertiesReader.Entry e(String k, String v, int line) {
        return new PropertiesReader.Entry(k, v, line);
    }

    @Test
    void separatorsEqualsColonAndWhitespace() {
        assertEquals(List.of(
                e("a", "1", 1), e("b", "2", 2), e("c", "3", 3), e("d", "4", 4), e("e", "=5", 5),
                e("f", "", 6), e("g", "", 7), e("h", "x = y", 8), e("i", ":9", 9)),
                entries("a=1\nb:2\nc 3\n  d \t =  4\ne = =5\nf\ng =\nh x = y\ni\t::9\n"));
    }

    @Test
    void valuesKeepTrailingBlanksLikeProperties() {
        assertEquals(List.of(e("k", "v  ", 1)), entries("k = v  "));
    }

    @Test
    void commentsOnlyOnTheirOwnLine() {
        assertEquals(List.of(e("a", "1 # not a comment", 3), e("b", "x!y", 5)),
                entries("# comment\n   ! also a comment \\\na = 1 # not a comment\n\n b=x!y"));
    }

    @Test
    void commentDoesNotContinue() {
        assertEquals(List.of(e("a", "1", 2)), entries("# ends with backslash \\\na=1\n"));
    }

    @Test
    void continuationDropsLeadingBlanksAndKeepsFirstLineNumber() {
        List<PropertiesReader.Entry> es = entries("x=0\nsources = 10.3.0.0/16, \\\n      10.2.0.0/16, \\\n\t# not a comment\ny=1\n");
        assertEquals(List.of(e("x", "0", 1), e("sources", "10.3.0.0/16, 10.2.0.0/16, # not a comment", 2), e("y", "1", 5)), es);
    }

    @Test
    void continuedKeyAndEvenBackslashes() {
        assertEquals(List.of(e("listen.https", "443", 1), e("p", "c:\\dir\\", 3), e("q", "1", 4)),
                entries("listen.\\\n  https = 443\np = c:\\\\dir\\\\\nq=1"));
    }

    @Test
    void blankLineAfterContinuationEndsEntry() {
        assertEquals(List.of(e("a", "1", 1), e("b", "2", 3)), entries("a = 1\\\n\nb = 2\n"));
    }

    @Test
    void backslashAtEndOfFileIsDropped() {
        assertEquals(List.of(e("a", "1", 1)), entries("a = 1\\"));
    }

    @Test
    void lineEndingsCrLfAndCr() {
        assertEquals(List.of(e("a", "1", 1), e("b", "2", 2), e("c", "23", 3), e("d", "4", 5)),
                entries("a=1\r\nb=2\rc=2\\\r\n  3\r\nd=4"));
    }

    @Test
    void escapes() {
        List<PropertiesReader.Entry> es = entries("k\\ with\\=odd\\:chars = \\tv\\n\\u00e9\\u0041\\q\\#\\\\ \n\\#notcomment=1\n");
        assertEquals(e("k with=odd:chars", "\tv\n\u00e9Aq#\\ ", 1), es.get(0));
        assertEquals(e("#notcomment", "1", 2), es.get(1));
    }

    @Test
    void unicodeEscapeInKeyMakesTheSameKey() {
        assertEquals(e("listen.https.mode", "tcp", 1), entries("listen.https\\u002emode=tcp").get(0));
    }

    @Test
    void malformedUnicodeEscapeIsAProblemWithLine() {
        PropertiesReader.Result r = PropertiesReader.parse(F, "a=1\n\nb = \\u12G4\nc=3\n");
        assertEquals(List.of(e("a", "1", 1), e("c", "3", 4)), r.entries());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).toString().startsWith("t.properties:3: malformed \\uXXXX escape"), r.problems().toString());
    }

    @Test
    void emptyAndBlankFiles() {
        assertEquals(List.of(), entries(""));
        assertEquals(List.of(), entries("\n\n  \t\n# c\n"));
    }

    @Test
    void keepsDuplicatesForTheCallerToReport() {
        assertEquals(List.of(e("a", "1", 1), e("a", "2", 2)), entries("a=1\na=2"));
    }

    @Test
    void utf8AndLatin1AndBom() {
        byte[] utf8 = "\uFEFFhost = caf\u00e9\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("host = caf\u00e9\n", PropertiesReader.decode(utf8));
        byte[] latin1 = "host = caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("host = caf\u00e9\n", PropertiesReader.decode(latin1));
    }

    /** The same text through java.util.Properties gives the same key/value pairs. */
    @Test
    void agreesWithJavaUtilProperties() throws IOException {
        String text = "# c\n a = 1\nb:2\nc   3 \\\n   4\\\\\nd=\\u0041\\t\\\n\n  e\nf = x\\\n  \\\n   y\n"
                + "g\\ h = \\ i\n!x\nj=k=l\nm:n:o\np\\\n";
        Properties p = new Properties();
        p.load(new StringReader(text));
        List<PropertiesReader.Entry> es = entries(text);
        assertEquals(p.size(), es.size());
        for (PropertiesReader.Entry en : es) {
            assertEquals(p.getProperty(en.key()), en.value(), en.key());
        }
    }

    @Test
    void missingFileIsAProblemNotAnException() {
        try (ConfFs c = new ConfFs()) {
            PropertiesReader.Result r = PropertiesReader.read(c.dir.resolve("nope.properties"));
            assertEquals("/etc/lnm/nope.properties: cannot read: no such file", r.problems().get(0).toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void directoryIsAProblemNotAnException() throws IOException {
        try (ConfFs c = new ConfFs()) {
            PropertiesReader.Result r = PropertiesReader.read(c.dir);
            assertEquals(1, r.problems().size());
            assertEquals(0, r.problems().get(0).line());
            assertTrue(r.problems().get(0).message().startsWith("cannot read"));
        }
    }
}
