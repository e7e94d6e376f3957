package lnm.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import lnm.config.BoxName;
import lnm.config.IpLiteral;
import lnm.http.RequestHead;
import lnm.side.SideHandler;
import lnm.side.SideRequest;
import lnm.side.SideResponse;
import lnm.side.SideRules;
import lnm.side.SideServer;
import lnm.side.SideStats;

/**
 * The {@code fleet.listen} endpoint: takes pulls from the boxes below, checks the request's form
 * (a {@link Pull}: report, nonce, the box's signature) and hands it with the relay path to a
 * {@link Handler} (the top checks the box's enrolment and signature, then answers; a middle box
 * relays the body unchanged). On a {@link SideServer}: {@code fleet.sources} (by default
 * {@code sources}), the per-source limits, a bounded body ({@link Report#MAX_BYTES}) and a
 * deadline for every pull.
 */
final class FleetServer implements SideHandler {
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

    private final SideServer http;
    private final String ownName;
    private final Handler handler;

    FleetServer(InetSocketAddress bind, String ownName, Handler handler, Supplier<SideRules> rules) throws IOException {
        this.ownName = ownName;
        this.handler = handler;
        this.http = new SideServer(bind, "fleet", this, rules);
    }

    /** What the fleet port turned away. */
    SideStats stats() {
        return http.stats();
    }

    InetSocketAddress address() {
        return http.address();
    }

    void stop() {
        http.close();
    }

    @Override
    public int maxBody(RequestHead head) {
        return Report.MAX_BYTES;
    }

    @Override
    public SideResponse handle(SideRequest ex) {
        if (!ex.path().equals(FleetHttp.PATH)) {
            return answer(new FleetHttp.Response(404, text("not found; boxes POST to " + FleetHttp.PATH)));
        }
        if (!ex.method().equals("POST")) {
            return answer(new FleetHttp.Response(405, text("method not allowed: use POST"))).with("Allow", "POST");
        }
        Pull pull;
        try {
            pull = Pull.parse(ex.body());
        } catch (IllegalArgumentException e) {
            return answer(new FleetHttp.Response(400, text("bad pull: " + e.getMessage())));
        }
        Report r = pull.report();
        List<String> via = new ArrayList<>();
        String header = ex.header(FleetHttp.VIA);
        if (header != null && !header.isBlank()) {
            for (String v : header.split(",", -1)) {
                via.add(v.trim());
            }
        }
        if (via.size() > MAX_VIA || !via.stream().allMatch(BoxName::valid)) {
            return answer(new FleetHttp.Response(400, text("bad " + FleetHttp.VIA + " header")));
        }
        if (via.contains(ownName) || r.name().equals(ownName)) {
            return answer(new FleetHttp.Response(508, text("loop: box '" + ownName + "' is already on the path " + via)));
        }
        return answer(handler.pull(pull, via, IpLiteral.format(ex.client())));
    }

    static byte[] text(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static SideResponse answer(FleetHttp.Response r) {
        return new SideResponse(r.status(), r.status() == 200 ? "application/octet-stream" : "text/plain; charset=utf-8",
                r.body(), java.util.Map.of());
    }
}
