package lnm.importer;

/** YAML scalars written on one line: plain, 'single-quoted' and "double-quoted". */
final class Scalars {
    private Scalars() {}

    /** A whole scalar; anything after a closing quote is an error. */
    static Node scalar(String text, int line) throws ParseException {
        char c = text.charAt(0);
        if (c == '"' || c == '\'') {
            int end = quotedEnd(text, 0, line);
            if (end != text.length() - 1) {
                throw new ParseException(line, "text after the closing quote: '" + text.substring(end + 1).strip() + "'");
            }
            return new Node(unquote(text, line), line);
        }
        if ("&*!".indexOf(c) >= 0) {
            throw new ParseException(line, "anchors, aliases and tags are not supported: '" + text + "'");
        }
        if (c == '@' || c == '`') {
            throw new ParseException(line, "'" + c + "' cannot start a plain value; quote it");
        }
        if (text.equals("~") || text.equals("null") || text.equals("Null") || text.equals("NULL")) {
            return new Node(null, line);
        }
        return new Node(Limits.scalar(text, line), line);
    }

    /** Index of the quote that closes the one at {@code start}. */
    static int quotedEnd(String s, int start, int line) throws ParseException {
        char q = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (q == '"' && c == '\\') {
                i++;
            } else if (c == q) {
                if (q == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i++; // '' is a quote inside single quotes
                } else {
                    return i;
                }
            }
        }
        throw new ParseException(line, "a quoted string that does not end on this line");
    }

    /** The value of a quoted scalar that starts at 0 and ends at the last character. */
    static String unquote(String s, int line) throws ParseException {
        String body = s.substring(1, s.length() - 1);
        if (s.charAt(0) == '\'') {
            return Limits.scalar(body.replace("''", "'"), line);
        }
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= body.length()) {
                throw new ParseException(line, "a backslash at the end of a quoted string");
            }
            char e = body.charAt(i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '0' -> sb.append('\0');
                case '"', '\\', '/', ' ' -> sb.append(e);
                case 'u' -> {
                    if (i + 5 > body.length() || !body.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}")) {
                        throw new ParseException(line, "\\u needs four hex digits");
                    }
                    sb.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new ParseException(line, "unknown escape '\\" + e + "' in a double-quoted string");
            }
        }
        return Limits.scalar(sb, line);
    }
}
