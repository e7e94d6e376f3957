package lnm.config;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** An in-memory /etc/lnm folder for config tests. */
final class ConfFs implements AutoCloseable {
    /** The lnm.properties example from docs/CONTRACTS.md, verbatim. */
    static final String DESIGN_LNM = String.join("\n",
            "# Purdue level of this box, 0-5 (shown in audit records and metrics)",
            "level = 4",
            "# listen.<name> = [address:]port ; mode: tls (SNI passthrough, the default) | tcp | http",
            "listen.https = 0.0.0.0:443",
            "listen.https.mode = tls",
            "listen.mqtts = 0.0.0.0:8883",
            "# a plain layer-4 forward to a fixed target (east-west)",
            "listen.opcua = 0.0.0.0:4840",
            "listen.opcua.mode = tcp",
            "listen.opcua.target = 10.3.0.15:4840",
            "# host[:port] of the proxy one level up; unset at the top level",
            "parent = 10.4.0.10",
            "allowlist = allowlist.properties",
            "# client CIDRs allowed to connect (default: any)",
            "sources = 10.3.0.0/16, 10.2.0.0/16",
            "# JSON Lines audit log",
            "audit.file = audit.jsonl",
            "# /metrics (Prometheus text), /healthz, /readyz, status page",
            "admin.listen = 127.0.0.1:9090",
            "");

    /** The allowlist.properties example from docs/CONTRACTS.md, verbatim. */
    static final String DESIGN_ALLOWLIST = String.join("\n",
            "# resolve with DNS here and connect (top level)",
            "management.azure.com = direct",
            "# hand to the proxy one level up",
            "*.his.arc.azure.com = parent",
            "# fixed target (internal / east-west)",
            "historian.plant.local = 10.3.0.20:443",
            "# empty: parent if one is configured, else direct",
            "*.blob.core.windows.net =",
            "");

    final FileSystem fs;
    final Path dir;

    ConfFs() {
        this(Configuration.unix());
    }

    private ConfFs(Configuration c) {
        fs = Jimfs.newFileSystem(c);
        dir = fs.getPath("/etc/lnm");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** With owners and POSIX permissions (files a secret is read from check them). */
    static ConfFs posix() {
        return new ConfFs(Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build());
    }

    Path write(String name, String text) {
        Path p = dir.resolve(name);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Writes lnm.properties (lines joined by \n) and an allowlist, and loads. */
    LoadResult load(String allowlist, String... lnmLines) {
        write("allowlist.properties", allowlist);
        return Config.load(write("lnm.properties", String.join("\n", lnmLines) + "\n"));
    }

    /** Like {@link #load} but the config must be valid. */
    Config ok(String allowlist, String... lnmLines) {
        LoadResult r = load(allowlist, lnmLines);
        if (!r.ok()) {
            throw new AssertionError("expected a valid config, got:\n" + lines(r));
        }
        return r.config();
    }

    static String lines(LoadResult r) {
        return r.problems().stream().map(Problem::toString).collect(Collectors.joining("\n"));
    }

    static List<String> messages(LoadResult r) {
        return r.problems().stream().map(Problem::toString).collect(Collectors.toList());
    }

    @Override
    public void close() throws IOException {
        fs.close();
    }
}
