package lnm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class JsonTest {
    private static String q(String s) {
        StringBuilder b = new StringBuilder();
        Json.quote(b, s);
        return b.toString();
    }

    @Test
    void plainAsciiIsCopiedAsItIs() {
        assertEquals("\"\"", q(""));
        assertEquals("\"api.contoso.azure.com\"", q("api.contoso.azure.com"));
        assertEquals("\"[2001:db8::1]:443\"", q("[2001:db8::1]:443"));
    }

    @Test
    void quotesBackslashesAndControlsAreEscapedWhereverTheyAre() {
        assertEquals("\"\\\"a\\\\b\\\"\"", q("\"a\\b\""));
        assertEquals("\"a\\nb\\rc\\td\"", q("a\nb\rc\td"));
        assertEquals("\"\\u0000\\u001f\\u007f\"", q("\u0000\u001f\u007f"));
        assertEquals("\"x\\u0001\"", q("x\u0001"));
    }

    @Test
    void nonAsciiBecomesUnicodeEscapesSoTheLogStaysAscii() {
        assertEquals("\"caf\\u00e9\"", q("café"));
        assertEquals("\"\\ud83d\\ude00\"", q("\uD83D\uDE00"));
        assertEquals("\"\\uffff\"", q("\uffff"));
    }

    @Test
    void anObjectWithEveryKindOfField() {
        String json = new Json(16).field("s", "a\"b").field("n", 42).field("null", (String) null)
                .field("list", List.of("h2", "http/1.1")).close();
        assertEquals("{\"s\":\"a\\\"b\",\"n\":42,\"null\":null,\"list\":[\"h2\",\"http/1.1\"]}", json);
    }
}
