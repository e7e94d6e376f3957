package lnm.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import lnm.audit.AuditRecord;
import lnm.cli.Appliance;
import lnm.dns.Resolver;

/**
 * An lnm appliance started in-process for an integration test, from config text written the
 * way an operator would write it (docs/CONTRACTS.md formats), with listeners on loopback port 0.
 * The one in-process harness: the hardening tests' box builds on it, and {@link TestConfig}
 * fills in the keys a test box needs for it and for the child-process harness alike.
 */
public final class Lnm implements AutoCloseable {
    public final Path dir;
    public final Appliance app;

    private Lnm(Path dir, Appliance app) {
        this.dir = dir;
        this.app = app;
    }

    /**
     * @param config    lnm.properties text; the keys of {@link TestConfig#DEFAULTS} are added
     *                  when it does not set them
     * @param allowlist allowlist.properties text
     */
    public static Lnm start(Path dir, String config, String allowlist) throws Exception {
        return start(dir, config, allowlist, null);
    }

    /** As above, with {@code lookup} answering every DNS question (null: the JDK resolver). */
    public static Lnm start(Path dir, String config, String allowlist, Resolver.Lookup lookup) throws Exception {
        return start(dir, config, allowlist, lookup, Map.of(), r -> { });
    }

    /**
     * As above, with {@code more} defaults after {@link TestConfig#DEFAULTS} and {@code finished}
     * seeing every finished connection's record (the hook the metrics use).
     */
    public static Lnm start(Path dir, String config, String allowlist, Resolver.Lookup lookup, Map<String, String> more,
            Consumer<AuditRecord> finished) throws Exception {
        Path file = TestConfig.write(dir, config, allowlist, more);
        return new Lnm(dir, Appliance.start(file, finished, lookup));
    }

    public InetSocketAddress address(String listener) {
        return app.server().address(listener).orElseThrow();
    }

    public int port(String listener) {
        return address(listener).getPort();
    }

    /** The audit lines written so far. */
    public List<String> audit() {
        Path f = dir.resolve("audit.jsonl");
        try {
            return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until at least {@code n} audit records are written and returns them. */
    public List<String> awaitAudit(int n) {
        await().atMost(Duration.ofSeconds(15)).until(() -> audit().size() >= n);
        return audit();
    }

    /** The string value of a top-level field of a flat JSON audit line (null for JSON null). */
    public static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}]*)").matcher(json);
        if (!m.find()) {
            return null;
        }
        return m.group(2) != null ? m.group(2) : (m.group(1).equals("null") ? null : m.group(1));
    }

    @Override
    public void close() {
        app.shutdown();
    }
}
