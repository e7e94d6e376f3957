package lnm.http;

/** Character classes of RFC 9110 5.6. */
final class Chars {
    private Chars() {}

    /** {@code tchar}: the characters of a token (method, header name). */
    static boolean tchar(int b) {
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
            return true;
        }
        switch (b) {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
            case '^': case '_': case '`': case '|': case '~':
                return true;
            default:
                return false;
        }
    }

    /** SP or HTAB: optional whitespace around a header value. */
    static boolean blank(int b) {
        return b == ' ' || b == '\t';
    }
}
