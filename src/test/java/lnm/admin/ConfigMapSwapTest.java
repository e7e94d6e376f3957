package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.SourceDigest;

/**
 * The kubelet's update of a ConfigMap volume ({@link KubeletVolume}) seen by the watcher of a
 * running appliance: no event names {@code lnm.properties} or {@code allowlist.properties}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigMapSwapTest {
    static final String CONFIG = "listen.https = 127.0.0.1:0\nallowlist = allowlist.properties\n";

    @TempDir
    Path mount;
    final AtomicInteger reloads = new AtomicInteger();
    final AtomicReference<String> loaded = new AtomicReference<>();
    ConfigWatcher watcher;
    KubeletVolume volume;

    @BeforeEach
    void setUp() throws Exception {
        volume = new KubeletVolume(mount, CONFIG, "a.example = direct\n");
        Path allowlist = volume.allowlistFile();
        AtomicReference<ConfigWatcher> self = new AtomicReference<>();
        watcher = new ConfigWatcher(volume.configFile(), allowlist, SourceDigest.of(volume.configFile(), allowlist), 200, () -> {
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

    private void swap(String newFolder, String allowlist) throws IOException {
        volume.swap(newFolder, allowlist);
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
