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

import lnm.config.SourceDigest;

/**
 * Which file events reload, and how often. Nothing here judges time windows: a test waits for
 * the reload it expects, or for the watcher to have judged an event it was sent, then looks.
 * How bursts are merged is {@link DebounceTest}'s matter.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigWatcherTest {
    static final String CONFIG = "listen.https = 127.0.0.1:0\nallowlist = lists/allowlist.properties\n";

    @TempDir
    Path dir;
    Path config;
    Path allowlist;
    final AtomicInteger reloads = new AtomicInteger();
    final AtomicReference<String> loaded = new AtomicReference<>();
    ConfigWatcher watcher;

    @BeforeEach
    void setUp() throws Exception {
        config = dir.resolve("lnm.properties");
        Files.createDirectories(dir.resolve("lists"));
        allowlist = dir.resolve("lists/allowlist.properties");
        Files.writeString(config, CONFIG);
        Files.writeString(allowlist, "a.example = direct\n");
        watcher = start(config, allowlist);
    }

    /** As the appliance does: every reload first marks what it loads, then reads the files. */
    ConfigWatcher start(Path c, Path a) throws Exception {
        AtomicReference<ConfigWatcher> self = new AtomicReference<>();
        ConfigWatcher w = new ConfigWatcher(c, a, SourceDigest.of(c, a), 200, () -> {
            self.get().markLoaded();
            try {
                loaded.set(Files.readString(a));
            } catch (java.io.IOException e) {
                loaded.set("unreadable: " + e);
            }
            reloads.incrementAndGet();
        });
        self.set(w);
        return w;
    }

    @AfterEach
    void tearDown() {
        watcher.close();
    }

    /**
     * Sends the watcher one event that counts but changes nothing (the config rewritten as it
     * is) and waits until it has been judged: every event sent before it has been judged too.
     */
    private void settle(Path configFile) throws Exception {
        long before = watcher.hits();
        Files.writeString(configFile, Files.readString(configFile));
        await().atMost(Duration.ofSeconds(20)).until(() -> watcher.hits() > before && watcher.quiet());
    }

    private void awaitLoaded(String allowlistContent) {
        await().atMost(Duration.ofSeconds(20)).until(() -> allowlistContent.equals(loaded.get()));
    }

    @Test
    void anEditOfEitherFileReloadsOnce() throws Exception {
        Files.writeString(allowlist, "a.example = direct\nb.example = direct\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> reloads.get() == 1);
        Files.writeString(config, CONFIG + "level = 3\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> reloads.get() == 2);
        settle(config);
        assertEquals(2, reloads.get());
    }

    @Test
    void aTouchWithoutChangeDoesNotReload() throws Exception {
        Files.setLastModifiedTime(allowlist, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        settle(config);
        assertEquals(0, reloads.get());
    }

    @Test
    void aBurstOfWritesEndsWithTheLastContentLoaded() throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.writeString(allowlist, "a.example = direct\nn" + i + ".example = direct\n");
        }
        awaitLoaded("a.example = direct\nn4.example = direct\n");
        int after = reloads.get();
        settle(config);
        assertEquals(after, reloads.get());
    }

    @Test
    void otherFilesInTheFolderAreIgnored() throws Exception {
        long before = watcher.hits();
        for (int i = 0; i < 5; i++) {
            Files.writeString(dir.resolve("audit.jsonl"), "{\"n\":" + i + "}\n");
            Files.writeString(dir.resolve("lists/notes.txt"), "x" + i);
        }
        settle(config);
        assertEquals(0, reloads.get());
        // the writes to other names did not count; the settling rewrite did (one or two events)
        long counted = watcher.hits() - before;
        assertEquals(true, counted >= 1 && counted <= 2, "counted " + counted);
    }

    @Test
    void anEditorThatRenamesANewFileOverTheOldIsSeen() throws Exception {
        Path tmp = dir.resolve("lists/.allowlist.properties.swp");
        Files.writeString(tmp, "c.example = direct\n");
        Files.move(tmp, allowlist, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        awaitLoaded("c.example = direct\n");
    }

    @Test
    void aReloadFromElsewhereIsNotRepeated() throws Exception {
        synchronized (watcher) { // the watcher cannot judge between the write and the mark
            Files.writeString(allowlist, "z.example = direct\n");
            watcher.markLoaded(); // SIGHUP got there first
        }
        settle(config);
        assertEquals(0, reloads.get());
    }
}
