package lnm.audit;

import java.util.List;

/** A minimal JSON object writer: enough for flat audit records and status output. */
public final class Json {
    private final StringBuilder sb;
    private boolean first = true;

    public Json() {
        this(256);
    }

    /** Room for {@code chars} without growing. */
    public Json(int chars) {
        sb = new StringBuilder(chars).append('{');
    }

    /**
     * Writes into {@code reused}, emptied first: a caller that writes one object after another
     * on one thread (the audit records of a loop) keeps one buffer instead of one per object.
     */
    public Json(StringBuilder reused) {
        reused.setLength(0);
        sb = reused.append('{');
    }

    private StringBuilder key(String k) {
        if (!first) {
            sb.append(',');
        }
        first = false;
        quote(sb, k);
        return sb.append(':');
    }

    /** A string field; {@code null} is written as JSON null. */
    public Json field(String k, String v) {
        if (v == null) {
            key(k).append("null");
        } else {
            quote(key(k), v);
        }
        return this;
    }

    public Json field(String k, long v) {
        key(k).append(v);
        return this;
    }

    public Json field(String k, boolean v) {
        key(k).append(v);
        return this;
    }

    public Json field(String k, List<String> values) {
        StringBuilder b = key(k).append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            quote(b, values.get(i));
        }
        b.append(']');
        return this;
    }

    /** Inserts already-encoded JSON as a value. */
    public Json raw(String k, String json) {
        key(k).append(json);
        return this;
    }

    public String close() {
        return sb.append('}').toString();
    }

    /** Appends {@code s} as a JSON string literal, escaping controls, quotes and non-ASCII. */
    public static void quote(StringBuilder b, String s) {
        b.append('"');
        int plain = 0;
        while (plain < s.length() && !needsEscape(s.charAt(plain))) {
            plain++;
        }
        b.append(s, 0, plain); // most values (names, addresses, reasons) are plain ASCII: one copy
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        b.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Quotes, backslashes, controls and everything outside printable ASCII. */
    private static boolean needsEscape(char c) {
        return c < 0x20 || c > 0x7e || c == '"' || c == '\\';
    }
}
