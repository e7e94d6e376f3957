package lnm.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The YAML subset, and an error with a line number for everything outside it. */
class YamlReaderTest {
    static Node yaml(String... lines) throws ParseException {
        return YamlReader.parse(String.join("\n", lines) + "\n");
    }

    @Test
    void blockMapsListsAtTheKeysIndentAndNestedItems() throws Exception {
        Node n = yaml("---", "# comment", "a: 1  # trailing", "b:", "- x", "- k: v", "  j: 'it''s'", "-", "  - deep",
                "c:", "  d: \"q\\\"uote\\u0041\"", "e:", "f: ~");
        Map<String, Node> m = n.map();
        assertEquals("1", m.get("a").scalar());
        List<Node> b = m.get("b").list();
        assertEquals("x", b.get(0).scalar());
        assertEquals("v", b.get(1).map().get("k").scalar());
        assertEquals("it's", b.get(1).map().get("j").scalar());
        assertEquals("deep", b.get(2).list().get(0).scalar());
        assertEquals("q\"uoteA", m.get("c").map().get("d").scalar());
        assertTrue(m.get("e").isNull());
        assertEquals(12, m.get("e").line());
        assertTrue(m.get("f").isNull());
        assertEquals(6, b.get(1).line());
    }

    @Test
    void flowCollectionsAndHashesInsideValues() throws Exception {
        Node n = yaml("l: [a, 'b, c', {k: v}, []]", "m: {x: 1, y: [2]}", "u: http://h/#frag", "s: \"# not a comment\"");
        List<Node> l = n.map().get("l").list();
        assertEquals(4, l.size());
        assertEquals("b, c", l.get(1).scalar());
        assertEquals("v", l.get(2).map().get("k").scalar());
        assertEquals("2", n.map().get("m").map().get("y").list().get(0).scalar());
        assertEquals("http://h/#frag", n.map().get("u").scalar());
        assertEquals("# not a comment", n.map().get("s").scalar());
    }

    @Test
    void blockScalarsAsKubectlWritesAnnotations() throws Exception {
        Node n = yaml("a: |", "  {\"x\": 1}", "  two", "b: >-", "  one", "  two", "c: 3");
        assertEquals("{\"x\": 1}\ntwo\n", n.map().get("a").scalar());
        assertEquals("one two", n.map().get("b").scalar());
        assertEquals("3", n.map().get("c").scalar());
    }

    @Test
    void everythingElseIsAnErrorAtItsLine() {
        assertError(2, "tab", "a: 1", "\tb: 2");
        assertError(2, "anchors", "a: 1", "b: &x 2");
        assertError(2, "anchors", "a: 1", "b: *x");
        assertError(2, "tags", "a: 1", "b: !!str 2");
        assertError(3, "duplicate key 'a' (first on line 1)", "a: 1", "b: 2", "a: 3");
        assertError(2, "does not end on this line", "a: 1", "b: [1, 2");
        assertError(2, "quoted string that does not end", "a: 1", "b: \"open");
        assertError(2, "a second document", "a: 1", "---", "b: 2");
        assertError(2, "unexpected indentation", "a: 1", "    b: 2");
        assertError(2, "expected 'key: value'", "a: 1", "just text");
        assertError(3, "a list item where a 'key: value' was expected", "a:", "  b: 1", "  - c");
        assertError(1, "directives", "%YAML 1.2", "a: 1");
    }

    static void assertError(int line, String text, String... lines) {
        ParseException e = assertThrows(ParseException.class, () -> yaml(lines));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void anEmptyDocumentIsNull() throws Exception {
        assertNull(yaml("# nothing").value());
    }
}
