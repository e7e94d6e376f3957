package lnm.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;

import lnm.config.HostPort;

/**
 * The wire between boxes: {@code POST /fleet/v1/pull} with the box's signed {@link Pull} (its
 * report and a fresh nonce) as the body, answered with an {@link Answer} (200: the box's signed
 * {@link Bundle} bound to that nonce under the top's key) or a one-line reason in plain text
 * (403 the box is not enrolled at the top or its signature does not verify, 409 its folder does
 * not pass the check, 502 a relay could not reach its own source, 4xx a bad request). Relays
 * name themselves in {@code X-Lnm-Via}, nearest the box first. Plain HTTP: everything that
 * counts is signed; never through an environment proxy.
 */
final class FleetHttp {
    static final String PATH = "/fleet/v1/pull";
    static final String VIA = "X-Lnm-Via";

    /** A response: status and body. */
    record Response(int status, byte[] body) {
        String text() {
            String s = new String(body, StandardCharsets.UTF_8).trim();
            return s.length() > 500 ? s.substring(0, 500) + "..." : s;
        }
    }

    private FleetHttp() {}

    static Response post(HostPort to, List<String> via, byte[] report, int timeoutMillis) throws IOException {
        URL url = new URL("http://" + to + PATH);
        HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        try {
            c.setConnectTimeout(timeoutMillis);
            c.setReadTimeout(timeoutMillis);
            c.setUseCaches(false);
            c.setInstanceFollowRedirects(false);
            c.setDoOutput(true);
            c.setRequestMethod("POST");
            c.setRequestProperty("Content-Type", "text/plain; charset=utf-8");
            if (!via.isEmpty()) {
                c.setRequestProperty(VIA, String.join(", ", via));
            }
            c.setFixedLengthStreamingMode(report.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(report);
            }
            int status = c.getResponseCode();
            InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
            byte[] body = in == null ? new byte[0] : readAtMost(in, Answer.MAX_BYTES);
            return new Response(status, body);
        } finally {
            c.disconnect();
        }
    }

    /** Reads a whole stream of at most {@code max} bytes; more is an error, not a truncation. */
    static byte[] readAtMost(InputStream in, int max) throws IOException {
        try (in) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new IOException("more than " + max + " bytes");
            }
            return b;
        }
    }
}
