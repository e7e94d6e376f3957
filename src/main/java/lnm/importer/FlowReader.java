package lnm.importer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML flow collection written on one line: {@code [a, "b", {k: v}]} or {@code {k: v}}. Its
 * nesting and entries count towards the document's {@link Limits}.
 */
final class FlowReader {
    private final String s;
    private final int line;
    private final Limits limits;
    private int i;

    FlowReader(String s, int line, Limits limits) {
        this.s = s;
        this.line = line;
        this.limits = limits;
    }

    Node read() throws ParseException {
        Node n = value();
        blanks();
        if (i != s.length()) {
            throw new ParseException(line, "text after the closing bracket: '" + s.substring(i) + "'");
        }
        return n;
    }

    private void blanks() {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
    }

    private Node value() throws ParseException {
        blanks();
        if (i >= s.length()) {
            throw new ParseException(line, "a flow collection that does not end on this line (write it on one line or as a block)");
        }
        char c = s.charAt(i);
        if (c == '[') {
            i++;
            limits.enter(line);
            List<Node> items = new ArrayList<>();
            if (!close(']')) {
                do {
                    limits.entry(line);
                    items.add(value());
                } while (comma(']'));
            }
            limits.leave();
            return new Node(items, line);
        }
        if (c == '{') {
            i++;
            limits.enter(line);
            Map<String, Node> m = new LinkedHashMap<>();
            if (!close('}')) {
                do {
                    limits.entry(line);
                    Node k = value();
                    if (k.scalar() == null) {
                        throw new ParseException(line, "a flow map key must be a scalar");
                    }
                    blanks();
                    if (i >= s.length() || s.charAt(i) != ':') {
                        throw new ParseException(line, "expected ':' after '" + k.scalar() + "' in a flow map");
                    }
                    i++;
                    if (m.put(k.scalar(), value()) != null) {
                        throw new ParseException(line, "duplicate key '" + k.scalar() + "'");
                    }
                } while (comma('}'));
            }
            limits.leave();
            return new Node(m, line);
        }
        int start = i;
        if (c == '"' || c == '\'') {
            i = Scalars.quotedEnd(s, i, line) + 1;
            return new Node(Scalars.unquote(s.substring(start, i), line), line);
        }
        while (i < s.length() && ",]}".indexOf(s.charAt(i)) < 0
                && !(s.charAt(i) == ':' && (i + 1 == s.length() || s.charAt(i + 1) == ' '))) {
            i++;
        }
        String plain = s.substring(start, i).strip();
        if (plain.isEmpty()) {
            throw new ParseException(line, "an empty entry in a flow collection");
        }
        return Scalars.scalar(plain, line);
    }

    private boolean close(char end) {
        blanks();
        if (i < s.length() && s.charAt(i) == end) {
            i++;
            return true;
        }
        return false;
    }

    /** After an entry: true for ',' (another follows), false for the closing bracket. */
    private boolean comma(char end) throws ParseException {
        blanks();
        if (i < s.length() && s.charAt(i) == ',') {
            i++;
            return true;
        }
        if (i < s.length() && s.charAt(i) == end) {
            i++;
            return false;
        }
        throw new ParseException(line, i >= s.length()
                ? "a flow collection that does not end on this line (write it on one line or as a block)"
                : "expected ',' or '" + end + "', got '" + s.charAt(i) + "'");
    }
}
