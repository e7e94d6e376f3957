package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.Config;
import lnm.config.LoadResult;

/**
 * A ConfigMap update that lands after the config was loaded but before the watcher runs (the
 * appliance binds its listeners in between) is still applied: what the watcher compares with is
 * what was loaded, not what the files hold when it starts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigMapSwapAtStartTest {
    static final String CONFIG = "listen.https = 127.0.0.1:0\nallowlist = allowlist.properties\nadmin.listen = off\n";

    @TempDir
    Path mount;

    @Test
    void aSwapBetweenTheLoadAndTheWatchersStartIsReloaded() throws Exception {
        KubeletVolume volume = new KubeletVolume(mount, CONFIG, "a.example = direct\n");
        LoadResult first = Config.load(volume.configFile());
        assertTrue(first.ok(), first.problems()::toString);
        AtomicReference<Config> inForce = new AtomicReference<>(first.config());

        volume.swap("..2026_11_30_13_05_00.000000002", "b.example = direct\n");

        try (Admin admin = new Admin(view(inForce))) {
            admin.start(inForce.get(), () -> {
                admin.beforeReload();
                LoadResult r = Config.load(volume.configFile());
                if (r.ok()) {
                    inForce.set(r.config());
                }
                admin.afterReload(inForce.get(), r.problems().stream().map(Object::toString).toList());
            });
            // the reload sets the config before afterReload counts it: wait for the count, then look at both
            await().atMost(Duration.ofSeconds(20)).until(() -> admin.metrics().reloadsOk() >= 1);
            assertTrue(inForce.get().allowlist().match("b.example").isPresent());
            assertTrue(inForce.get().allowlist().match("a.example").isEmpty());
            assertEquals(1, admin.metrics().reloadsOk());
        }
    }

    /** An appliance with nothing running: all the admin side needs to start. */
    private static ApplianceView view(AtomicReference<Config> config) {
        return new FixedView(config::get, List.of(), Optional.empty());
    }
}
