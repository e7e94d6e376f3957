package lnm.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A line-oriented reader for {@link java.util.Properties} syntax that remembers where each
 * entry started, so every config error can say {@code FILE:LINE}.
 *
 * <p>Follows {@code Properties.load}: lines end at LF, CR or CRLF; blank lines and lines whose
 * first non-blank character is {@code #} or {@code !} are comments (only on their own line, and
 * a comment never continues); a line ending in an odd number of backslashes continues on the
 * next, whose leading blanks are dropped; the key ends at the first unescaped {@code =},
 * {@code :} or blank, and blanks plus at most one {@code =} / {@code :} separate it from the
 * value; {@code \t \n \r \f \\uXXXX} are escapes and any other escaped character stands for
 * itself. Unlike {@code Properties} it keeps duplicates (the caller reports them) and reports a
 * malformed {@code \\uXXXX} as a problem instead of throwing. Files are read as UTF-8, falling
 * back to ISO-8859-1 (the classic properties encoding) if they are not valid UTF-8.
 */
public final class PropertiesReader {

    /** One key/value pair and the line it starts on (1-based). Values keep their trailing blanks. */
    public record Entry(String key, String value, int line) {}

    /** Entries in file order, and problems found while reading. */
    public record Result(List<Entry> entries, List<Problem> problems) {
        public Result {
            entries = List.copyOf(entries);
            problems = List.copyOf(problems);
        }
    }

    private final Path file;
    private final String text;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private int pos;
    private int line = 1;

    private PropertiesReader(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    /** Reads a file; an unreadable file becomes one problem at line 0. Never throws. */
    public static Result read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Result(List.of(), List.of(new Problem(file, 0, "cannot read: no such file")));
        } catch (AccessDeniedException e) {
            return new Result(List.of(), List.of(new Problem(file, 0, "cannot read: permission denied")));
        } catch (IOException | RuntimeException e) {
            return new Result(List.of(), List.of(new Problem(file, 0, "cannot read: " + describe(e))));
        }
        return parse(file, decode(bytes));
    }

    /** Parses text; {@code file} only names the source in problems. */
    public static Result parse(Path file, String text) {
        PropertiesReader r = new PropertiesReader(file, text);
        r.run();
        return new Result(r.entries, r.problems);
    }

    static String decode(byte[] bytes) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            s = new String(bytes, StandardCharsets.ISO_8859_1);
        }
        // An editor's byte order mark would otherwise become part of the first key.
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\f';
    }

    private boolean atEol() {
        return pos < text.length() && (text.charAt(pos) == '\n' || text.charAt(pos) == '\r');
    }

    /** Consumes one line terminator (LF, CR or CRLF) if present. */
    private void eol() {
        if (pos >= text.length()) {
            return;
        }
        char c = text.charAt(pos);
        if (c == '\r') {
            pos++;
            if (pos < text.length() && text.charAt(pos) == '\n') {
                pos++;
            }
            line++;
        } else if (c == '\n') {
            pos++;
            line++;
        }
    }

    private void skipBlanks() {
        while (pos < text.length() && blank(text.charAt(pos))) {
            pos++;
        }
    }

    private void run() {
        int n = text.length();
        while (pos < n) {
            skipBlanks();
            if (pos >= n) {
                break;
            }
            if (atEol()) {
                eol();
                continue;
            }
            char c = text.charAt(pos);
            if (c == '#' || c == '!') {
                while (pos < n && !atEol()) {
                    pos++;
                }
                eol();
                continue;
            }
            int startLine = line;
            StringBuilder logical = new StringBuilder();
            while (true) {
                int from = pos;
                while (pos < n && !atEol()) {
                    pos++;
                }
                logical.append(text, from, pos);
                int backslashes = 0;
                for (int i = logical.length() - 1; i >= 0 && logical.charAt(i) == '\\'; i--) {
                    backslashes++;
                }
                if (backslashes % 2 == 0) {
                    eol();
                    break;
                }
                logical.setLength(logical.length() - 1); // the continuation backslash
                if (pos >= n) {
                    break; // a backslash at end of file continues onto nothing
                }
                eol();
                skipBlanks();
                if (pos >= n) {
                    break;
                }
                if (atEol()) {
                    // A blank line after a continuation ends the entry (as in Properties.load).
                    eol();
                    break;
                }
            }
            entry(logical, startLine);
        }
    }

    private void entry(CharSequence s, int startLine) {
        int limit = s.length();
        int keyLen = 0;
        int valueStart = limit;
        boolean hasSep = false;
        boolean escaped = false;
        while (keyLen < limit) {
            char c = s.charAt(keyLen);
            if ((c == '=' || c == ':') && !escaped) {
                valueStart = keyLen + 1;
                hasSep = true;
                break;
            }
            if (blank(c) && !escaped) {
                valueStart = keyLen + 1;
                break;
            }
            escaped = c == '\\' && !escaped;
            keyLen++;
        }
        while (valueStart < limit) {
            char c = s.charAt(valueStart);
            if (!blank(c)) {
                if (!hasSep && (c == '=' || c == ':')) {
                    hasSep = true;
                } else {
                    break;
                }
            }
            valueStart++;
        }
        String key = unescape(s, 0, keyLen, startLine);
        String value = unescape(s, valueStart, limit, startLine);
        if (key != null && value != null) {
            entries.add(new Entry(key, value, startLine));
        }
    }

    /** Resolves escapes in s[from, to); null (and a problem) on a malformed \\uXXXX. */
    private String unescape(CharSequence s, int from, int to, int startLine) {
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            char c = s.charAt(i++);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= to) {
                break; // a lone trailing backslash stands for nothing
            }
            c = s.charAt(i++);
            switch (c) {
                case 't': out.append('\t'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 'f': out.append('\f'); break;
                case 'u': {
                    int v = 0;
                    int digits = 0;
                    while (digits < 4 && i < to) {
                        char h = s.charAt(i);
                        int d = Character.digit(h, 16);
                        if (d < 0 || h > 'f') {
                            break;
                        }
                        v = (v << 4) | d;
                        i++;
                        digits++;
                    }
                    if (digits < 4) {
                        problems.add(new Problem(file, startLine,
                                "malformed \\uXXXX escape: expected 4 hex digits after \\u in '" + s.toString().trim() + "'"));
                        return null;
                    }
                    out.append((char) v);
                    break;
                }
                default: out.append(c);
            }
        }
        return out.toString();
    }
}
