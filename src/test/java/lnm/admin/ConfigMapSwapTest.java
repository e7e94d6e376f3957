package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ConfigMap volume as the kubelet lays it out and updates it:
 * <pre>
 *   lnm.properties       -> ..data/lnm.properties
 *   allowlist.properties -> ..data/allowlist.properties
 *   ..data               -> ..2026_11_30_13_00_00.000000001
 *   ..2026_11_30_13_00_00.000000001/{lnm.properties,allowlist.properties}
 * </pre>
 * An update writes a new timestamped folder, points a temporary link {@code ..data_tmp} at it,
 * renames that link over {@code ..data} (one atomic rename) and deletes the old folder. No event
 * names {@code lnm.properties} or {@code allowlist.properties}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigMapSwapTest {
    static final String CONFIG = "listen.https = 127.0.0.1:0\nallowlist = allowlist.properties\n";

    @TempDir
    Path mount;
    final AtomicInteger reloads = new AtomicInteger();
    final AtomicReference<String> loaded = new AtomicReference<>();
    ConfigWatcher watcher;

    @BeforeEach
    void setUp() throws Exception {
        Path first = payload("..2026_11_30_13_00_00.000000001", "a.example = direct\n");
        Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
        for (String name : new String[] {"lnm.properties", "allowlist.properties"}) {
            Files.createSymbolicLink(mount.resolve(name), Path.of("..data", name));
        }
        Path allowlist = mount.resolve("allowlist.properties");
        AtomicReference<ConfigWatcher> self = new AtomicReference<>();
        watcher = new ConfigWatcher(mount.resolve("lnm.properties"), allowlist, 200, () -> {
            self.get().markLoaded();
            try {
                loaded.set(Files.readString(allowlist));
            } catch (IOException e) {
                loaded.set("unreadable: " + e);
            }
            reloads.incrementAndGet();
        });
        self.set(watcher);
    }

    @AfterEach
    void tearDown() {
        watcher.close();
    }

    private Path payload(String name, String allowlist) throws IOException {
        Path d = Files.createDirectory(mount.resolve(name));
        Files.writeString(d.resolve("lnm.properties"), CONFIG);
        Files.writeString(d.resolve("allowlist.properties"), allowlist);
        return d;
    }

    /** The kubelet's update, step by step. */
    private void swap(String newFolder, String allowlist) throws IOException {
        Path old = Files.readSymbolicLink(mount.resolve("..data"));
        payload(newFolder, allowlist);
        Path tmp = Files.createSymbolicLink(mount.resolve("..data_tmp"), Path.of(newFolder));
        Files.move(tmp, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> s = Files.walk(mount.resolve(old))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void theSwapOfDataIsReloadedAndSoIsASecondOne() throws Exception {
        swap("..2026_11_30_13_05_00.000000002", "b.example = direct\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> "b.example = direct\n".equals(loaded.get()));
        assertEquals(1, reloads.get());
        assertTrue(Files.notExists(mount.resolve("..2026_11_30_13_00_00.000000001")));

        swap("..2026_11_30_13_10_00.000000003", "c.example = direct\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> "c.example = direct\n".equals(loaded.get()));
        assertEquals(2, reloads.get());
    }

    @Test
    void aSwapThatChangesNothingDoesNotReload() throws Exception {
        long before = watcher.hits();
        swap("..2026_11_30_13_05_00.000000002", "a.example = direct\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> watcher.hits() > before && watcher.quiet());
        assertEquals(0, reloads.get());
    }
}
