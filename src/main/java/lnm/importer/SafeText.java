package lnm.importer;

/**
 * What may pass from a resource into lnm's files and onto the terminal. A field the importer
 * uses must hold no control character (C0, DEL, C1 such as NEL), no line or paragraph separator
 * and no format character (bidirectional overrides, zero-width characters): any of them could
 * end a line of a properties file, or make a name read differently from what it is.
 */
final class SafeText {
    /** Characters of a field the importer uses; no name, address or range comes near it. */
    static final int MAX_FIELD = 1024;
    /** Characters of one printed message; the quoted parts of longer ones are not worth more. */
    static final int MAX_MESSAGE = 1000;

    private SafeText() {}

    /** True for the characters no used field may hold and no written line may carry as they are. */
    static boolean unsafe(char c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }

    /**
     * The value of a field the importer uses, refused (at the node's line) when it holds an
     * unsafe character or is longer than {@link #MAX_FIELD}.
     */
    static String field(String s, String what, int line) throws ParseException {
        if (s.length() > MAX_FIELD) {
            throw new ParseException(line, what + " is " + s.length() + " characters long (at most " + MAX_FIELD + ")");
        }
        for (int i = 0; i < s.length(); i++) {
            if (unsafe(s.charAt(i))) {
                throw new ParseException(line, what + " holds the control character " + code(s.charAt(i))
                        + " at position " + (i + 1) + "; no field lnm uses may");
            }
        }
        return s;
    }

    /** U+000A and the like. */
    static String code(char c) {
        return String.format("U+%04X", (int) c);
    }

    /**
     * A message for the terminal: unsafe characters as {@code \\uXXXX} (so that it stays one
     * line and cannot move the cursor), cut to {@link #MAX_MESSAGE} characters.
     */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_MESSAGE) + 16);
        int i = 0;
        for (; i < s.length() && sb.length() < MAX_MESSAGE; i++) {
            char c = s.charAt(i);
            if (unsafe(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return i < s.length() ? sb.append("...").toString() : sb.toString();
    }
}
