package lnm.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import lnm.config.PropertiesReader;

/**
 * The two files a test box runs on: the test's {@code lnm.properties} text plus the keys every
 * test box needs, each added only when the text does not set that key (read with lnm's own
 * properties reader, so a key named in a comment or a value, or a longer key that starts with
 * the same letters, does not count as set). Plain JDK and lnm, no JUnit: the soak run uses it too.
 */
public final class TestConfig {
    /** What every test box gets unless its config says otherwise. */
    public static final Map<String, String> DEFAULTS = ordered(
            "allowlist", "allowlist.properties",
            "audit.file", "audit.jsonl",
            "shutdown.drainSeconds", "1",
            "admin.listen", "off");
    /** For boxes flooded from one address to test the other limits: the rate limit has tests of its own. */
    public static final Map<String, String> NO_RATE_LIMIT = ordered("limits.perSourceRate", "off");

    private TestConfig() {}

    /** {@code config} with a {@code key = value} line added for each default (then each of {@code more}) it does not set. */
    public static String withDefaults(String config, Map<String, String> more) {
        Set<String> set = PropertiesReader.parse(Path.of("lnm.properties"), config).entries().stream()
                .map(PropertiesReader.Entry::key).collect(Collectors.toSet());
        StringBuilder c = new StringBuilder(config);
        Map<String, String> all = new LinkedHashMap<>(DEFAULTS);
        all.putAll(more);
        all.forEach((k, v) -> {
            if (!set.contains(k)) {
                c.append('\n').append(k).append(" = ").append(v).append('\n');
            }
        });
        return c.toString();
    }

    /** Writes {@code lnm.properties} (with the defaults) and {@code allowlist.properties} into {@code dir}; returns the first. */
    public static Path write(Path dir, String config, String allowlist, Map<String, String> more) throws IOException {
        Path file = dir.resolve("lnm.properties");
        Files.writeString(file, withDefaults(config, more));
        Files.writeString(dir.resolve("allowlist.properties"), allowlist);
        return file;
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
