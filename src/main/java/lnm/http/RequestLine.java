package lnm.http;

import lnm.wire.ParseResult;

/**
 * The first phase of {@link HttpHeadParser}: the request line, {@code method SP target SP
 * version}, read once its CRLF is in. Its bytes were already checked as they arrived (a method
 * of token characters, no control characters); here its shape, version and target are.
 *
 * @param method the method token as sent
 * @param target the request-target as sent
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 */
record RequestLine(String method, String target, String version) {

    /** The request line in {@code [from, to)} of {@code bytes} (its CRLF excluded). */
    static ParseResult<RequestLine> parse(HeadBytes bytes, int from, int to) {
        String line = bytes.latin1(from, to);
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 == sp1 + 1 || sp2 == line.length() - 1) {
            return ParseResult.invalid(HttpHeadParser.MALFORMED, "request line is not 'method target version'");
        }
        String method = line.substring(0, sp1);
        String target = line.substring(sp1 + 1, sp2);
        String version = line.substring(sp2 + 1);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            boolean looksHttp = version.length() == 8 && version.startsWith("HTTP/") && Character.isDigit(version.charAt(5))
                    && version.charAt(6) == '.' && Character.isDigit(version.charAt(7));
            return looksHttp
                    ? ParseResult.invalid(HttpHeadParser.VERSION, "version " + version + " not supported")
                    : ParseResult.invalid(HttpHeadParser.MALFORMED, "no HTTP version");
        }
        for (int k = 0; k < target.length(); k++) {
            char c = target.charAt(k);
            if (c < 0x21 || c > 0x7e || c == '#') {
                return ParseResult.invalid(HttpHeadParser.MALFORMED, "bad character in the request target");
            }
        }
        return new ParseResult.Parsed<>(new RequestLine(method, target, version), to - from);
    }

    boolean http10() {
        return version.equals("HTTP/1.0");
    }
}
