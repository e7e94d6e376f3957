package lnm.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which file events reload, and how often. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ConfigWatcherTest {
    /** Long enough past the 200 ms debounce used here that a reload would have happened. */
    private static final long SETTLE_MILLIS = 1_200;

    @TempDir
    Path dir;
    Path config;
    Path allowlist;
    final AtomicInteger reloads = new AtomicInteger();
    ConfigWatcher watcher;

    @BeforeEach
    void setUp() throws Exception {
        config = dir.resolve("lnm.properties");
        Files.createDirectories(dir.resolve("lists"));
        allowlist = dir.resolve("lists/allowlist.properties");
        Files.writeString(config, "listen.https = 127.0.0.1:0\nallowlist = lists/allowlist.properties\n");
        Files.writeString(allowlist, "a.example = direct\n");
        AtomicReference<ConfigWatcher> self = new AtomicReference<>();
        // as the appliance does: every reload first marks what it loads
        watcher = new ConfigWatcher(config, allowlist, 200, () -> {
            self.get().markLoaded();
            reloads.incrementAndGet();
        });
        self.set(watcher);
    }

    @AfterEach
    void tearDown() {
        watcher.close();
    }

    private void settle() throws InterruptedException {
        Thread.sleep(SETTLE_MILLIS);
    }

    @Test
    void anEditOfEitherFileReloadsOnce() throws Exception {
        Files.writeString(allowlist, "a.example = direct\nb.example = direct\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads.get() == 1);
        Files.writeString(config, "listen.https = 127.0.0.1:0\nallowlist = lists/allowlist.properties\nlevel = 3\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads.get() == 2);
        settle();
        assertEquals(2, reloads.get());
    }

    @Test
    void aTouchWithoutChangeDoesNotReload() throws Exception {
        Files.setLastModifiedTime(allowlist, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Files.writeString(config, Files.readString(config));
        settle();
        assertEquals(0, reloads.get());
    }

    @Test
    void aBurstOfWritesIsOneReload() throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.writeString(allowlist, "a.example = direct\nn" + i + ".example = direct\n");
            Thread.sleep(50);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads.get() == 1);
        settle();
        assertEquals(1, reloads.get());
    }

    @Test
    void otherFilesInTheFolderAreIgnored() throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.writeString(dir.resolve("audit.jsonl"), "{\"n\":" + i + "}\n");
            Files.writeString(dir.resolve("lists/notes.txt"), "x" + i);
        }
        settle();
        assertEquals(0, reloads.get());
    }

    @Test
    void anEditorThatRenamesANewFileOverTheOldIsSeen() throws Exception {
        Path tmp = dir.resolve("lists/.allowlist.properties.swp");
        Files.writeString(tmp, "c.example = direct\n");
        Files.move(tmp, allowlist, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads.get() == 1);
    }

    @Test
    void aReloadFromElsewhereIsNotRepeated() throws Exception {
        Files.writeString(allowlist, "z.example = direct\n");
        watcher.markLoaded(); // SIGHUP got there first
        settle();
        assertEquals(0, reloads.get());
    }
}
