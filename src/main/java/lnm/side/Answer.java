package lnm.side;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A {@link SideResponse} as the bytes a side port writes: status line, head, body. */
final class Answer {
    private static final Map<Integer, String> PHRASES = Map.ofEntries(Map.entry(200, "OK"),
            Map.entry(400, "Bad Request"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"), Map.entry(409, "Conflict"), Map.entry(411, "Length Required"),
            Map.entry(413, "Content Too Large"), Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(500, "Internal Server Error"),
            Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"), Map.entry(508, "Loop Detected"));

    private Answer() {}

    /** The whole answer; for a HEAD request ({@code headOnly}) without the body but with its length. */
    static byte[] bytes(SideResponse r, boolean headOnly) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("HTTP/1.1 ").append(r.status()).append(' ').append(PHRASES.getOrDefault(r.status(), "Status"))
                .append("\r\nContent-Type: ").append(r.contentType())
                .append("\r\nContent-Length: ").append(r.body().length)
                .append("\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n");
        r.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        byte[] head = sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        if (headOnly) {
            return head;
        }
        byte[] all = new byte[head.length + r.body().length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(r.body(), 0, all, head.length, r.body().length);
        return all;
    }
}
