package lnm.probe;

/**
 * What the probe of one name found: one line of {@code lnm probe}.
 *
 * @param name the name probed (or the wildcard pattern that needs a sample name)
 * @param route the ROUTE column: the kind and the address used or last tried, or {@code -}
 * @param result whether it answered
 * @param step the last step reached: {@link Step#TLS} when it answered, else where it failed
 * @param millis how long it took
 * @param detail what happened, in words
 * @param issuer the issuer of the certificate the endpoint (or whoever answered for it)
 *     presented, RFC 2253; null if none was seen
 */
public record Outcome(String name, String route, Result result, Step step, long millis, String detail, String issuer) {

    /** The RESULT column. */
    public enum Result {
        /** The TLS handshake completed and the certificate was valid for the name. */
        OK,
        /** It did not; {@code step} says where. */
        FAILED,
        /** Not probed: a wildcard without a sample name. Not a failure. */
        SKIPPED;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether this line makes the run fail (exit 1). */
    public boolean failed() {
        return result == Result.FAILED;
    }

    /** The line, its first two columns padded to the given widths, fields apart by two spaces or more. */
    public String line(int nameWidth, int routeWidth) {
        String text = printable(detail) + (issuer != null ? (detail.isEmpty() ? "" : "; ") + "issuer=" + printable(issuer) : "");
        String s = String.format(java.util.Locale.ROOT, "%-" + Math.max(1, nameWidth) + "s  %-" + Math.max(1, routeWidth)
                + "s  %-7s  %-6s  %7s  %s", printable(name), printable(route), result, step, millis + "ms", text);
        return s.stripTrailing();
    }

    /**
     * {@code s} on one line of printable ASCII: what a server or proxy sent (an issuer, a status
     * line, an error message) cannot break the line or its columns. Other characters become
     * {@code ?}, a run of spaces one space.
     */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char out = c >= 0x21 && c < 0x7f ? c : Character.isWhitespace(c) || c == ' ' ? ' ' : '?';
            if (out != ' ' || (b.length() > 0 && b.charAt(b.length() - 1) != ' ')) {
                b.append(out);
            }
        }
        return b.toString().strip();
    }
}
