package lnm.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import lnm.config.PropertiesReader;

/** Whatever a comment, key or value holds, the written text reads back as exactly the entries put in. */
class PropertiesTextTest {
    static List<PropertiesReader.Entry> back(String text) {
        PropertiesReader.Result r = PropertiesReader.parse(Path.of("t.properties"), text);
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        return r.entries();
    }

    @Test
    void everyCharacterStaysInsideItsCommentKeyOrValue() throws Exception {
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = "a" + (char) c + "b" + (char) c;
            String text = new PropertiesText("t.properties")
                    .comment(s + "\nx = y")
                    .entry(s, s)
                    .entry("kk", (char) c + "v")
                    .entry("" + (char) c, (char) c + "")
                    .text();
            List<PropertiesReader.Entry> e = back(text);
            assertEquals(3, e.size(), text);
            assertEquals(s, e.get(0).key());
            assertEquals(s, e.get(0).value());
            assertEquals((char) c + "v", e.get(1).value());
            assertEquals("" + (char) c, e.get(2).key());
            // java.util.Properties, which anything else reading the file would use, agrees
            Properties p = new Properties();
            p.load(new java.io.StringReader(text));
            assertEquals(3, p.size(), text);
            assertEquals(s, p.getProperty(s));
        }
    }

    @Test
    void theInjectionOfANameBecomesOneCommentLine() {
        String name = "a\ndirect.allowSpecialAddresses = any\rlisten.https.acceptProxyProtocol = any\u2028\u0085#";
        String text = new PropertiesText("t.properties").comment("imported from " + name).entry("level", "4").text();
        assertEquals(List.of("level"), back(text).stream().map(PropertiesReader.Entry::key).toList());
        assertEquals(3, text.split("\n", -1).length, text); // the comment, the entry, and the empty rest
        assertFalse(text.chars().anyMatch(ch -> ch != '\n' && SafeText.unsafe((char) ch)), text);
        assertTrue(text.startsWith("# imported from a\\u000adirect.allowSpecialAddresses = any\\u000dlisten"), text);
    }
}
