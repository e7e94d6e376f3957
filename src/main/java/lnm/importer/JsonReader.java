package lnm.importer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON (RFC 8259) such as {@code kubectl get lnm NAME -o json} prints, into the same
 * {@link Node} tree as the YAML reader; numbers and booleans stay text for the field's reader
 * to judge. Errors name the line. Nesting, entries and strings are bounded ({@link Limits}) so
 * hostile input cannot exhaust the stack or the memory.
 */
final class JsonReader {
    private final String s;
    private final Limits limits;
    private int i;
    private int line = 1;

    private JsonReader(String s, Limits limits) {
        this.s = s;
        this.limits = limits;
    }

    static Node parse(String text) throws ParseException {
        return parse(text, new Limits());
    }

    /** Parses one JSON value within {@code limits}. */
    static Node parse(String text, Limits limits) throws ParseException {
        JsonReader r = new JsonReader(text, limits);
        Node n = r.value();
        r.blanks();
        if (r.i != r.s.length()) {
            throw new ParseException(r.line, "text after the JSON value");
        }
        return n;
    }

    private void blanks() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private ParseException error(String what) {
        return new ParseException(line, what);
    }

    private Node value() throws ParseException {
        blanks();
        if (i >= s.length()) {
            throw error("the JSON ends where a value was expected");
        }
        int at = line;
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                limits.enter(at);
                Map<String, Node> m = new LinkedHashMap<>();
                blanks();
                if (peek('}')) {
                    limits.leave();
                    return new Node(m, at);
                }
                do {
                    blanks();
                    if (i >= s.length() || s.charAt(i) != '"') {
                        throw error("expected a quoted key");
                    }
                    int keyLine = line;
                    limits.entry(keyLine);
                    String k = string();
                    blanks();
                    expect(':');
                    Node v = value();
                    if (m.put(k, v) != null) {
                        throw new ParseException(keyLine, "duplicate key '" + k + "'");
                    }
                    blanks();
                } while (next(',', '}'));
                limits.leave();
                return new Node(m, at);
            }
            case '[' -> {
                i++;
                limits.enter(at);
                List<Node> items = new ArrayList<>();
                blanks();
                if (peek(']')) {
                    limits.leave();
                    return new Node(items, at);
                }
                do {
                    limits.entry(line);
                    items.add(value());
                    blanks();
                } while (next(',', ']'));
                limits.leave();
                return new Node(items, at);
            }
            case '"' -> {
                return new Node(string(), at);
            }
            default -> {
                int start = i;
                while (i < s.length() && "+-.0123456789eEtruefalsn".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                String word = Limits.scalar(s.substring(start, i), at);
                if (word.equals("null")) {
                    return new Node(null, at);
                }
                if (word.equals("true") || word.equals("false") || word.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                    return new Node(word, at);
                }
                throw error(word.isEmpty() ? "unexpected '" + c + "'" : "not a JSON value: '" + word + "'");
            }
        }
    }

    private boolean peek(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws ParseException {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
    }

    /** After an entry: true for ',' (another follows), false for the closing bracket. */
    private boolean next(char comma, char end) throws ParseException {
        if (peek(comma)) {
            return true;
        }
        if (peek(end)) {
            return false;
        }
        throw error(i >= s.length() ? "the JSON ends inside a '" + (end == '}' ? '{' : '[') + "'"
                : "expected '" + comma + "' or '" + end + "', got '" + s.charAt(i) + "'");
    }

    private String string() throws ParseException {
        i++; // the opening quote
        StringBuilder sb = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return Limits.scalar(sb, line);
            }
            if (c < 0x20) {
                throw error("a control character inside a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) {
                break;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("\\u needs four hex digits");
                    }
                    if (!s.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
                        throw error("\\u needs four hex digits");
                    }
                    sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw error("unknown escape '\\" + e + "'");
            }
        }
        throw error("a string that does not end");
    }
}
