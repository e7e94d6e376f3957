package lnm.side;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A side port's answer. The server adds {@code Content-Length}, {@code Connection: close},
 * {@code Cache-Control: no-store} and {@code X-Content-Type-Options: nosniff}; a HEAD request gets
 * the head only.
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}
 * @param body the body bytes
 * @param headers further header fields (names and values are the handler's own constants)
 */
public record SideResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String TEXT = "text/plain; charset=utf-8";

    public SideResponse {
        headers = Map.copyOf(headers);
    }

    /** A plain-text answer: {@code message} and a newline. */
    public static SideResponse text(int status, String message) {
        return new SideResponse(status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** An answer with a body of the given type. */
    public static SideResponse of(int status, String contentType, String body) {
        return new SideResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** This answer with one more header field. */
    public SideResponse with(String name, String value) {
        java.util.HashMap<String, String> h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new SideResponse(status, contentType, body, h);
    }
}
