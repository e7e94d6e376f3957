package lnm.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import lnm.audit.Json;
import lnm.config.Config;
import lnm.config.Key;
import lnm.config.ListenerSpec;
import lnm.fleet.Fleet;
import lnm.floor.ConnectionInfo;
import lnm.http.RequestHead;
import lnm.side.SideHandler;
import lnm.side.SideRequest;
import lnm.side.SideResponse;
import lnm.side.SideRules;
import lnm.side.SideServer;
import lnm.side.SideStats;

/**
 * The admin HTTP/1.1 endpoint ({@code admin.listen}), on a {@link SideServer}.
 *
 * <table>
 * <caption>Paths (GET and HEAD only)</caption>
 * <tr><td>{@code /}</td><td>status page (HTML with inline SVG; refreshes itself)</td></tr>
 * <tr><td>{@code /metrics}</td><td>Prometheus text format 0.0.4</td></tr>
 * <tr><td>{@code /healthz}</td><td>200 while the process runs</td></tr>
 * <tr><td>{@code /readyz}</td><td>200 when every listener is bound and not draining, else 503</td></tr>
 * <tr><td>{@code /connections}</td><td>live connections as JSON</td></tr>
 * <tr><td>{@code /devices}</td><td>the devices seen (names, counts, TLS fingerprints) as JSON</td></tr>
 * </table>
 *
 * <p>Who may ask: loopback clients, and clients in {@code admin.sources} (by default
 * {@code sources}), within the per-source limits; a {@code Host} header must be an IP address,
 * {@code localhost} or a name in {@code admin.hosts}, so a page an operator's browser opened
 * cannot reach this port through a rebound DNS name. {@code /healthz} and {@code /readyz} are
 * answered on the port's loop thread: no number of slow or heavy requests delays them.
 */
final class AdminServer {

    private final ApplianceView view;
    private final Metrics metrics;
    private final History history;
    private final SideServer http;

    AdminServer(InetSocketAddress bind, ApplianceView view, Metrics metrics, History history) throws IOException {
        this.view = view;
        this.metrics = metrics;
        this.history = history;
        this.http = new SideServer(bind, "admin", new SideHandler() {
            @Override
            public boolean quick(RequestHead head) {
                String p = head.pathWithoutQuery();
                return p.equals("/healthz") || p.equals("/readyz");
            }

            @Override
            public SideResponse handle(SideRequest r) {
                return AdminServer.this.handle(r);
            }
        }, this::rules);
    }

    private SideRules rules() {
        Config c = view.config();
        return new SideRules(c.adminSources(), true, c.get(Key.PER_SOURCE_CONNECTIONS), c.get(Key.PER_SOURCE_RATE),
                c.ipv6PrefixLength(), c.get(Key.ADMIN_HOSTS));
    }


    /** The bound address (the real port when configured as 0). */
    InetSocketAddress address() {
        return http.address();
    }

    void stop() {
        http.close();
    }

    private SideResponse handle(SideRequest r) {
        String method = r.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return SideResponse.text(405, "method not allowed: use GET").with("Allow", "GET, HEAD");
        }
        return switch (r.path()) {
            case "/" -> SideResponse.of(200, "text/html; charset=utf-8",
                    StatusPage.render(view, metrics, history, System.currentTimeMillis()))
                    .with("Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'");
            case "/metrics" -> SideResponse.of(200, PromText.CONTENT_TYPE, metrics.exposition(view, sidePorts()));
            case "/healthz" -> SideResponse.text(200, "ok");
            case "/readyz" -> readyz();
            case "/connections" -> SideResponse.of(200, "application/json", connectionsJson(view.connections()));
            case "/devices" -> SideResponse.of(200, "application/json", DevicesSection.json(metrics.devices()));
            case "/fleet" -> SideResponse.of(200, "application/json", FleetSection.json(view, System.currentTimeMillis()));
            default -> SideResponse.text(404, "not found; try / /metrics /healthz /readyz /connections /devices");
        };
    }

    /** Each side port's refusals: this one's, and the fleet port's where the box serves one. */
    private Map<String, SideStats> sidePorts() {
        Map<String, SideStats> m = new TreeMap<>();
        m.put("admin", http.stats());
        view.fleet().flatMap(Fleet::portStats).ifPresent(s -> m.put("fleet", s));
        return m;
    }

    private SideResponse readyz() {
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
        return SideResponse.of(ready ? 200 : 503, "text/plain; charset=utf-8", head + pid + sb);
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
}
