package lnm.http;

import java.nio.charset.StandardCharsets;

/**
 * The few responses lnm writes itself. Errors close the connection and carry a one-line
 * {@code text/plain} body that says what happened and the audit reason, so an operator reading
 * curl's output knows which rule to look at:
 * {@code lnm: denied.example is not on the allowlist (not_allowlisted)}.
 */
public final class HttpResponses {
    private static final int MAX_MESSAGE = 300;

    private HttpResponses() {}

    /** The answer to an allowed CONNECT: the tunnel starts right after it. */
    public static byte[] connectEstablished() {
        return "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * An error response with {@code Connection: close}.
     *
     * @param message what happened, without the reason; non-printable characters become '?'
     * @param reason the audit reason, appended in brackets
     */
    public static byte[] error(int status, String message, String reason) {
        String body = "lnm: " + printable(message) + " (" + printable(reason) + ")\n";
        String head = "HTTP/1.1 " + status + " " + phrase(status) + "\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + "Connection: close\r\n"
                + "Cache-Control: no-store\r\n"
                + "\r\n";
        return (head + body).getBytes(StandardCharsets.US_ASCII);
    }

    /** The reason phrase for the statuses lnm sends. */
    public static String phrase(int status) {
        switch (status) {
            case 200: return "Connection established";
            case 400: return "Bad Request";
            case 403: return "Forbidden";
            case 408: return "Request Timeout";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return "Error";
        }
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_MESSAGE));
        for (int i = 0; i < s.length() && b.length() < MAX_MESSAGE; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
