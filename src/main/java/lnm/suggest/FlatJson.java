package lnm.suggest;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the top-level fields of one JSON object, such as an audit line: the wanted fields that
 * hold a string, number or boolean, as text; {@code null} leaves a field out; lists and objects
 * are passed over, their brackets matched (at most {@link #MAX_DEPTH} deep). A line that is not one JSON
 * object, or that repeats a wanted field, is refused: which copy a reader believes would be
 * the writer's choice.
 */
final class FlatJson {
    static final int MAX_DEPTH = 32;

    private final String s;
    private int i;

    private FlatJson(String s) {
        this.s = s;
    }

    /** The wanted fields of the object on {@code line}, or null if the line is not one JSON object. */
    static Map<String, String> fields(String line, Set<String> wanted) {
        FlatJson p = new FlatJson(line);
        try {
            return p.object(wanted);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    private Map<String, String> object(Set<String> wanted) {
        Map<String, String> out = new HashMap<>();
        Set<String> seen = new HashSet<>();
        blanks();
        expect('{');
        blanks();
        if (peek() == '}') {
            i++;
        } else {
            while (true) {
                blanks();
                String key = string();
                blanks();
                expect(':');
                blanks();
                char c = peek();
                String value;
                if (c == '"') {
                    value = string();
                } else if (c == '{' || c == '[') {
                    skipNested();
                    value = null;
                } else {
                    value = scalar();
                }
                if (wanted.contains(key)) {
                    if (!seen.add(key)) {
                        throw new IllegalArgumentException("repeated field " + key);
                    }
                    if (value != null && !value.equals("null")) {
                        out.put(key, value);
                    }
                }
                blanks();
                char e = s.charAt(i++);
                if (e == '}') {
                    break;
                }
                if (e != ',') {
                    throw new IllegalArgumentException("expected , or }");
                }
            }
        }
        blanks();
        if (i != s.length()) {
            throw new IllegalArgumentException("text after the object");
        }
        return out;
    }

    private char peek() {
        return s.charAt(i);
    }

    private void expect(char c) {
        if (s.charAt(i++) != c) {
            throw new IllegalArgumentException("expected " + c);
        }
    }

    private void blanks() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r' || s.charAt(i) == '\n')) {
            i++;
        }
    }

    /** A string literal with its escapes resolved. */
    private String string() {
        expect('"');
        StringBuilder b = null;
        int from = i;
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b == null ? s.substring(from, i - 1) : b.toString();
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("control character in a string");
            }
            if (c != '\\') {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(s.substring(from, i - 1));
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i++), 16);
                        if (d < 0) {
                            throw new IllegalArgumentException("bad \\u escape");
                        }
                        v = v << 4 | d;
                    }
                    b.append((char) v);
                }
                default -> throw new IllegalArgumentException("bad escape");
            }
        }
    }

    /** A number, true, false or null, as written. */
    private String scalar() {
        int from = i;
        while (i < s.length() && "0123456789+-.eEtruefalsn".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String v = s.substring(from, i);
        if (v.equals("true") || v.equals("false") || v.equals("null") || v.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
            return v;
        }
        throw new IllegalArgumentException("bad value");
    }

    /** Passes over a list or object, checking its brackets, strings and depth. */
    private void skipNested() {
        int depth = 0;
        StringBuilder open = new StringBuilder();
        do {
            blanks();
            char c = s.charAt(i);
            if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    throw new IllegalArgumentException("nested too deep");
                }
                open.append(c);
                i++;
            } else if (c == '}' || c == ']') {
                char o = open.charAt(open.length() - 1);
                if ((c == '}') != (o == '{')) {
                    throw new IllegalArgumentException("mismatched bracket");
                }
                open.setLength(open.length() - 1);
                depth--;
                i++;
            } else if (c == '"') {
                string();
            } else if (c == ',' || c == ':') {
                i++;
            } else {
                scalar();
            }
        } while (depth > 0);
    }
}
