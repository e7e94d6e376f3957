package lnm.fleet;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.sun.net.httpserver.HttpExchange;

import lnm.admin.SmallHttpServer;

/**
 * The {@code fleet.listen} endpoint: takes pulls from the boxes below, checks the request's form
 * (a {@link Pull}: report, nonce, the box's signature) and hands it with the relay path to a
 * {@link Handler} (the top checks the box's enrolment and signature, then answers; a middle box
 * relays the body unchanged). Two
 * worker threads and a short queue, like the admin endpoint: pulls are small and infrequent.
 */
final class FleetServer {
    private static final Logger LOG = Logger.getLogger(FleetServer.class.getName());
    static final int MAX_VIA = 16;

    /** Answers one pull. */
    @FunctionalInterface
    interface Handler {
        /**
         * @param pull the request body, parsed (its signature not yet checked)
         * @param via  the relays it came through, nearest the box first
         * @param peer the address it came from (the nearest relay, or the box), for the record
         */
        FleetHttp.Response pull(Pull pull, List<String> via, String peer);
    }

    private final SmallHttpServer http;
    private final String ownName;
    private final Handler handler;

    FleetServer(InetSocketAddress bind, String ownName, Handler handler) throws IOException {
        this.ownName = ownName;
        this.handler = handler;
        this.http = new SmallHttpServer(bind, "lnm-fleet-http", this::handle);
    }

    InetSocketAddress address() {
        return http.address();
    }

    void stop() {
        http.stop();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals(FleetHttp.PATH)) {
                send(ex, new FleetHttp.Response(404, text("not found; boxes POST to " + FleetHttp.PATH)));
                return;
            }
            if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                send(ex, new FleetHttp.Response(405, text("method not allowed: use POST")));
                return;
            }
            byte[] body;
            try {
                body = FleetHttp.readAtMost(ex.getRequestBody(), Report.MAX_BYTES);
            } catch (IOException e) {
                send(ex, new FleetHttp.Response(413, text("report too large: at most " + Report.MAX_BYTES + " bytes")));
                return;
            }
            Pull pull;
            try {
                pull = Pull.parse(body);
            } catch (IllegalArgumentException e) {
                send(ex, new FleetHttp.Response(400, text("bad pull: " + e.getMessage())));
                return;
            }
            Report r = pull.report();
            List<String> via = new ArrayList<>();
            String header = ex.getRequestHeaders().getFirst(FleetHttp.VIA);
            if (header != null && !header.isBlank()) {
                for (String v : header.split(",", -1)) {
                    via.add(v.trim());
                }
            }
            if (via.size() > MAX_VIA || !via.stream().allMatch(BoxName::valid)) {
                send(ex, new FleetHttp.Response(400, text("bad " + FleetHttp.VIA + " header")));
                return;
            }
            if (via.contains(ownName) || r.name().equals(ownName)) {
                send(ex, new FleetHttp.Response(508, text("loop: box '" + ownName + "' is already on the path " + via)));
                return;
            }
            send(ex, handler.pull(pull, via, ex.getRemoteAddress().getAddress().getHostAddress()));
        } catch (IOException e) {
            LOG.fine("fleet client went away: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "fleet request failed", e);
        }
    }

    static byte[] text(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, FleetHttp.Response r) throws IOException {
        ex.getResponseHeaders().set("Content-Type", r.status() == 200 ? "application/octet-stream" : "text/plain; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }
}
