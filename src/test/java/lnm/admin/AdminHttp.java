package lnm.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import lnm.testing.Lnm;

/** Requests to an in-process appliance's admin endpoint, for tests. */
public final class AdminHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AdminHttp() {}

    /** The base URL of the admin endpoint of {@code lnm} (started with {@code admin.listen = 127.0.0.1:0}). */
    public static String base(Lnm lnm) {
        var a = lnm.app.admin().address().orElseThrow(() -> new AssertionError("admin endpoint not bound"));
        return "http://127.0.0.1:" + a.getPort();
    }

    public static HttpResponse<String> request(String method, String url) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(Lnm lnm, String path) throws Exception {
        return request("GET", base(lnm) + path);
    }

    /** {@code /metrics}, parsed strictly. */
    public static Map<String, PromParser.Family> metrics(Lnm lnm) throws Exception {
        HttpResponse<String> r = get(lnm, "/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode());
        }
        return PromParser.parse(r.body());
    }
}
