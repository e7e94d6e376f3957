package lnm.importer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the part of YAML that Kubernetes resources are written in: block maps and lists (a list
 * may sit at its key's indentation, as kubectl writes it), flow lists and maps on one line,
 * plain, single- and double-quoted scalars, literal and folded block scalars, comments, one
 * leading {@code ---}. Anchors, aliases, tags, multi-line flow collections, multi-line quoted
 * strings and several documents are errors that name the line; nothing is guessed. Nesting,
 * entries, lines and scalars are bounded ({@link Limits}), so deep or huge input is an error
 * too, never a StackOverflowError.
 */
final class YamlReader {
    /** One line: its number, indentation, content without comment, and the text as written. */
    private record Line(int no, int indent, String text, String raw) {
        boolean blank() {
            return text.isEmpty();
        }
    }

    /** Lines of one document; a resource has a few dozen (kubectl's annotation is one). */
    static final int MAX_LINES = 200_000;

    private final List<Line> lines = new ArrayList<>();
    private final Limits limits;
    private int at;

    private YamlReader(Limits limits) {
        this.limits = limits;
    }

    /** Parses one document; an empty document is a null node. */
    static Node parse(String text) throws ParseException {
        return parse(text, new Limits());
    }

    /** Parses one document within {@code limits}. */
    static Node parse(String text, Limits limits) throws ParseException {
        YamlReader r = new YamlReader(limits);
        r.split(text);
        Node root = r.value(0);
        r.skipBlank();
        if (r.at < r.lines.size()) {
            Line l = r.lines.get(r.at);
            if (l.text.equals("---")) {
                throw new ParseException(l.no, "a second document ('---'): import one resource per file");
            }
            throw new ParseException(l.no, "unexpected indentation or content: '" + l.text + "'");
        }
        return root;
    }

    private void split(String text) throws ParseException {
        String[] raw = text.split("\r?\n", -1);
        if (raw.length > MAX_LINES) {
            throw new ParseException(MAX_LINES + 1, "more than " + MAX_LINES + " lines");
        }
        boolean seenContent = false;
        for (int n = 0; n < raw.length; n++) {
            String s = raw[n];
            int indent = 0;
            while (indent < s.length() && s.charAt(indent) == ' ') {
                indent++;
            }
            if (indent < s.length() && s.charAt(indent) == '\t' && !stripComment(s).isBlank()) {
                throw new ParseException(n + 1, "a tab in the indentation: YAML indents with spaces only");
            }
            String content = stripComment(s.substring(indent)).strip();
            if (content.startsWith("%")) {
                throw new ParseException(n + 1, "YAML directives ('" + content + "') are not supported");
            }
            if (!seenContent && content.equals("---")) {
                continue; // the optional start of the one document
            }
            seenContent |= !content.isEmpty();
            lines.add(new Line(n + 1, indent, content, s));
        }
    }

    /** The line without its comment: '#' at the start or after a blank, outside quotes. */
    static String stripComment(String s) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '#' && (i == 0 || s.charAt(i - 1) == ' ' || s.charAt(i - 1) == '\t')) {
                return s.substring(0, i);
            } else if ((c == '"' || c == '\'') && (i == 0 || " [{,:-".indexOf(s.charAt(i - 1)) >= 0)) {
                quote = c;
            }
        }
        return s;
    }

    private void skipBlank() {
        while (at < lines.size() && lines.get(at).blank()) {
            at++;
        }
    }

    /** The block value that starts on the next line indented at least {@code min}, or null. */
    private Node value(int min) throws ParseException {
        skipBlank();
        if (at >= lines.size() || lines.get(at).indent < min) {
            return new Node(null, at < lines.size() ? lines.get(at).no : 0);
        }
        Line l = lines.get(at);
        if (isItem(l.text)) {
            return list(l.indent);
        }
        if (keyEnd(l) >= 0) {
            return map(l.indent);
        }
        at++;
        Node n = inline(l, l.text, l.indent);
        skipBlank();
        if (at < lines.size() && lines.get(at).indent > l.indent) {
            throw new ParseException(lines.get(at).no, "a plain value over several lines is not supported; quote it on one line");
        }
        return n;
    }

    private static boolean isItem(String text) {
        return text.equals("-") || text.startsWith("- ");
    }

    private Node map(int indent) throws ParseException {
        Map<String, Node> m = new LinkedHashMap<>();
        int first = lines.get(at).no;
        limits.enter(first);
        while (true) {
            Line l = nextInBlock(indent);
            if (l == null) {
                break;
            }
            if (isItem(l.text)) {
                throw new ParseException(l.no, "a list item where a 'key: value' was expected");
            }
            int colon = keyEnd(l);
            if (colon < 0) {
                throw new ParseException(l.no, "expected 'key: value', got '" + l.text + "'");
            }
            String key = key(l, l.text.substring(0, colon).strip());
            if (m.containsKey(key)) {
                throw new ParseException(l.no, "duplicate key '" + key + "' (first on line " + m.get(key).line() + ")");
            }
            String rest = l.text.substring(colon + 1).strip();
            at++;
            Node v;
            if (!rest.isEmpty()) {
                v = inline(l, rest, indent);
            } else {
                skipBlank();
                boolean listHere = at < lines.size() && lines.get(at).indent == indent && isItem(lines.get(at).text);
                v = listHere ? list(indent) : value(indent + 1);
                v = new Node(v.value(), l.no); // a nested value is reported at its key

            }
            limits.entry(l.no);
            m.put(key, v);
        }
        limits.leave();
        return new Node(m, first);
    }

    /**
     * The next line of the block at {@code indent}, or null where the block ends (end of
     * input, a line indented less, or a document separator); a line indented more is an error.
     */
    private Line nextInBlock(int indent) throws ParseException {
        skipBlank();
        if (at >= lines.size() || lines.get(at).indent < indent || lines.get(at).text.equals("---")) {
            return null;
        }
        Line l = lines.get(at);
        if (l.indent > indent) {
            throw new ParseException(l.no, "unexpected indentation: '" + l.text + "'");
        }
        return l;
    }

    private Node list(int indent) throws ParseException {
        List<Node> items = new ArrayList<>();
        int first = lines.get(at).no;
        limits.enter(first);
        while (true) {
            Line l = nextInBlock(indent);
            if (l == null) {
                break;
            }
            if (!isItem(l.text)) {
                break; // the next key of the map this list is a value of
            }
            limits.entry(l.no);
            String content = l.text.substring(1).stripLeading();
            int col = l.indent + (l.text.length() - content.length());
            if (content.isEmpty()) {
                at++;
                Node v = value(indent + 1);
                items.add(v.isNull() ? new Node(null, l.no) : v);
                continue;
            }
            // the item's content becomes a line of its own at its column: "- a: 1" opens a map there
            Line inner = new Line(l.no, col, content, l.raw);
            lines.set(at, inner);
            if (isItem(content)) {
                items.add(list(col));
            } else if (keyEnd(inner) >= 0) {
                items.add(map(col));
            } else {
                at++;
                items.add(inline(inner, content, indent));
            }
        }
        limits.leave();
        return new Node(items, first);
    }

    /** Index of the ':' that ends a key on this line, or -1 when the line is not 'key: ...'. */
    private static int keyEnd(Line l) throws ParseException {
        String t = l.text;
        int from = 0;
        if (t.startsWith("\"") || t.startsWith("'")) {
            from = Scalars.quotedEnd(t, 0, l.no) + 1;
        } else if (t.startsWith("[") || t.startsWith("{")) {
            return -1;
        }
        for (int i = from; i < t.length(); i++) {
            if (t.charAt(i) == ':' && (i + 1 == t.length() || t.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        return -1;
    }

    private static String key(Line l, String k) throws ParseException {
        if (k.isEmpty()) {
            throw new ParseException(l.no, "an empty key");
        }
        if (k.startsWith("?") || k.startsWith("&") || k.startsWith("*") || k.startsWith("!")) {
            throw new ParseException(l.no, "complex keys, anchors, aliases and tags are not supported: '" + k + "'");
        }
        Node n = Scalars.scalar(k, l.no);
        return n.isNull() ? k : n.scalar();
    }

    /** A value written after 'key:' or '- ' on the same line. */
    private Node inline(Line l, String text, int parentIndent) throws ParseException {
        char c = text.charAt(0);
        if (c == '|' || c == '>') {
            return block(l, text, parentIndent);
        }
        if (c == '[' || c == '{') {
            return new FlowReader(text, l.no, limits).read();
        }
        return Scalars.scalar(text, l.no);
    }

    /** A literal ('|') or folded ('>') block scalar: the following lines indented deeper. */
    private Node block(Line l, String header, int parentIndent) throws ParseException {
        if (!header.matches("[|>][-+]?")) {
            throw new ParseException(l.no, "block scalar header '" + header + "' is not supported (use |, |-, |+, >, >- or >+)");
        }
        List<String> body = new ArrayList<>();
        int indent = -1;
        while (at < lines.size()) {
            Line b = lines.get(at);
            boolean blank = b.raw.isBlank();
            if (!blank && b.indent <= parentIndent) {
                break;
            }
            if (!blank && indent < 0) {
                indent = b.indent;
            }
            if (!blank && b.indent < indent) {
                throw new ParseException(b.no, "block scalar line indented less than its first line");
            }
            body.add(blank ? "" : b.raw.substring(indent));
            at++;
        }
        int trailing = 0;
        while (!body.isEmpty() && body.get(body.size() - 1).isEmpty()) {
            body.remove(body.size() - 1);
            trailing++;
        }
        String sep = header.charAt(0) == '|' ? "\n" : " ";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < body.size(); i++) {
            if (i > 0) {
                sb.append(body.get(i).isEmpty() || body.get(i - 1).isEmpty() ? "\n" : sep);
            }
            sb.append(body.get(i));
        }
        if (!body.isEmpty() && !header.endsWith("-")) {
            sb.append('\n');
            if (header.endsWith("+")) {
                sb.append("\n".repeat(trailing));
            }
        }
        return new Node(Limits.scalar(sb, l.no), l.no);
    }
}
