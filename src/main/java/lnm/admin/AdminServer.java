package lnm.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.sun.net.httpserver.HttpExchange;

import lnm.audit.Json;
import lnm.config.ListenerSpec;
import lnm.net.ConnectionInfo;

/**
 * The admin HTTP/1.1 endpoint ({@code admin.listen}), on the JDK's {@code jdk.httpserver}.
 *
 * <table>
 * <caption>Paths (GET and HEAD only)</caption>
 * <tr><td>{@code /}</td><td>status page (HTML with inline SVG; refreshes itself)</td></tr>
 * <tr><td>{@code /metrics}</td><td>Prometheus text format 0.0.4</td></tr>
 * <tr><td>{@code /healthz}</td><td>200 while the process runs</td></tr>
 * <tr><td>{@code /readyz}</td><td>200 when every listener is bound and not draining, else 503</td></tr>
 * <tr><td>{@code /connections}</td><td>live connections as JSON</td></tr>
 * </table>
 *
 * <p>Served by a {@link SmallHttpServer}: the admin port serves a scraper and a person, never
 * the proxied traffic, and must not take memory or threads from it.
 */
final class AdminServer {
    private static final Logger LOG = Logger.getLogger(AdminServer.class.getName());

    private final ApplianceView view;
    private final Metrics metrics;
    private final History history;
    private final SmallHttpServer http;

    AdminServer(InetSocketAddress bind, ApplianceView view, Metrics metrics, History history) throws IOException {
        this.view = view;
        this.metrics = metrics;
        this.history = history;
        this.http = new SmallHttpServer(bind, "lnm-admin-http", this::handle);
    }

    /** The bound address (the real port when configured as 0). */
    InetSocketAddress address() {
        return http.address();
    }

    void stop() {
        http.stop();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed: use GET\n");
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/" -> {
                    ex.getResponseHeaders().set("Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'");
                    send(ex, 200, "text/html; charset=utf-8",
                            StatusPage.render(view, metrics, history, System.currentTimeMillis()));
                }
                case "/metrics" -> send(ex, 200, PromText.CONTENT_TYPE, metrics.exposition(view));
                case "/healthz" -> send(ex, 200, "text/plain; charset=utf-8", "ok\n");
                case "/readyz" -> readyz(ex);
                case "/connections" -> send(ex, 200, "application/json", connectionsJson(view.connections()));
                case "/fleet" -> send(ex, 200, "application/json", FleetSection.json(view, System.currentTimeMillis()));
                default -> send(ex, 404, "text/plain; charset=utf-8",
                        "not found; try / /metrics /healthz /readyz /connections\n");
            }
        } catch (IOException e) {
            LOG.fine("admin client went away: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "admin request failed", e);
        }
    }

    private void readyz(HttpExchange ex) throws IOException {
        StringBuilder sb = new StringBuilder();
        int bound = 0;
        List<ListenerSpec> ls = view.config().listeners();
        for (ListenerSpec l : ls) {
            boolean up = view.listenerAddress(l.name()).isPresent();
            bound += up ? 1 : 0;
            if (!up) {
                sb.append("listener ").append(l.name()).append(" (").append(l.bindText()).append(") is not bound\n");
            }
        }
        boolean ready = view.ready() && bound == ls.size();
        if (view.stopping()) {
            sb.append("draining: not accepting connections\n");
        }
        String head = (ready ? "ready" : "not ready") + ": " + bound + "/" + ls.size() + " listeners bound, config "
                + view.config().file() + " loaded, " + view.config().allowlist().size() + " allowlist rules\n";
        // the PID lets keepalived's track script (lnm-readyz) tell this lnm from another process on the port
        String pid = "pid " + ProcessHandle.current().pid() + "\n";
        send(ex, ready ? 200 : 503, "text/plain; charset=utf-8", head + pid + sb);
    }

    /** {@code {"active":N,"connections":[{listener,client,origin,sni,state,upstream,bytesUp,bytesDown,ageMs}]}}. */
    static String connectionsJson(List<ConnectionInfo> live) {
        StringBuilder sb = new StringBuilder(64 + live.size() * 200);
        sb.append("{\"active\":").append(live.size()).append(",\"connections\":[");
        for (int i = 0; i < live.size(); i++) {
            ConnectionInfo c = live.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append(new Json().field("listener", c.listener()).field("client", c.client()).field("origin", c.origin())
                    .field("sni", c.sni()).field("state", c.state()).field("upstream", c.upstream())
                    .field("bytesUp", c.bytesUp()).field("bytesDown", c.bytesDown()).field("ageMs", c.ageMillis()).close());
        }
        return sb.append("]}\n").toString();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(b.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
