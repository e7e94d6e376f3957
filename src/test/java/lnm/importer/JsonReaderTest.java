package lnm.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** JSON as kubectl prints it, and errors that name the line. */
class JsonReaderTest {
    @Test
    void valuesKeepTheirLines() throws Exception {
        Node n = JsonReader.parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"b\": {\"c\": \"x\\u0041\\n\"}\n}");
        assertEquals("-2.5e3", n.map().get("a").list().get(1).scalar());
        assertEquals("true", n.map().get("a").list().get(2).scalar());
        assertTrue(n.map().get("a").list().get(3).isNull());
        assertEquals("xA\n", n.map().get("b").map().get("c").scalar());
        assertEquals(3, n.map().get("b").line());
    }

    @Test
    void errorsNameTheLine() {
        assertError(3, "expected ',' or '}'", "{\n\"a\": 1\n\"b\": 2}");
        assertError(2, "duplicate key 'a'", "{\"a\": 1,\n\"a\": 2}");
        assertError(1, "not a JSON value: '01'", "[01]");
        assertError(2, "the JSON ends inside a '['", "[1,\n2");
        assertError(1, "\\u needs four hex digits", "[\"\\u12\"]");
        assertError(1, "nested deeper", "[".repeat(100));
        assertError(1, "text after the JSON value", "{} x");
    }

    static void assertError(int line, String text, String json) {
        ParseException e = assertThrows(ParseException.class, () -> JsonReader.parse(json));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
