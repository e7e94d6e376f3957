package lnm.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import lnm.config.Config;
import lnm.config.LoadResult;

/** Writes a small lnm.properties (with an empty allowlist) into a folder and loads it. */
final class Configs {
    private Configs() {}

    static Config load(Path dir, String... lines) {
        try {
            Files.writeString(dir.resolve("allowlist.properties"), "");
            Path f = dir.resolve("lnm.properties");
            Files.writeString(f, "listen.https = 127.0.0.1:0\n" + String.join("\n", lines) + "\n");
            LoadResult r = Config.load(f);
            if (!r.ok()) {
                throw new AssertionError(r.problems().toString());
            }
            return r.config();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
