package lnm.ops;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.admin.AdminHttp;
import lnm.admin.PromParser;
import lnm.audit.AuditLog;
import lnm.audit.AuditRecord;
import lnm.testing.Lnm;
import lnm.testing.TcpServer;

/** The audit log as operations sees it: size rotation, and a full queue that is counted, never waited on. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AuditLogOpsTest {
    @TempDir
    Path dir;

    @Test
    void rotatesBySizeKeepingTheConfiguredNumberOfFiles() throws Exception {
        try (TcpServer up = Traffic.echoServer();
             Lnm lnm = Lnm.start(dir, """
                     listen.https = 127.0.0.1:0
                     admin.listen = 127.0.0.1:0
                     audit.maxBytes = 1KiB
                     audit.keep = 2
                     """, "kept.example = 127.0.0.1:" + up.port() + "\n")) {
            int n = 20;
            for (int i = 0; i < n; i++) {
                assertTrue(Traffic.allowed(lnm.port("https"), "kept.example"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> PromParser.value(AdminHttp.metrics(lnm),
                    "lnm_audit_records_written_total") == n);
            for (String f : new String[] {"audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"}) {
                Path p = dir.resolve(f);
                assertTrue(Files.exists(p), f);
                assertTrue(Files.size(p) <= 1024, f + " is " + Files.size(p) + " bytes");
                for (String line : Files.readAllLines(p)) {
                    assertTrue(line.startsWith("{\"time\":") && line.endsWith("}"), "whole records only: " + line);
                }
            }
            assertFalse(Files.exists(dir.resolve("audit.jsonl.3")), "keep = 2");
            assertEquals(0.0, PromParser.value(AdminHttp.metrics(lnm), "lnm_audit_records_dropped_total"));
        }
    }

    @Test
    void aStuckDiskNeverBlocksTheWriterAndDropsAreCounted() throws Exception {
        Path fifo = dir.resolve("stuck.jsonl");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor(5, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo is not available");
        // The reader opens the pipe (so the writer's open returns) and reads nothing until told:
        // the pipe fills and the audit writer thread blocks in write(), as on a stuck disk.
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = new FileInputStream(fifo.toFile())) {
                release.get(20, TimeUnit.SECONDS);
                return in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        AuditLog log = new AuditLog(fifo, 1L << 40, 0, 100);
        int n = 5_000;
        // The reader takes nothing until the writes are done, so a write that waited for the
        // disk would wait for ever: the writes finishing at all is the check, not how fast.
        CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                AuditRecord r = new AuditRecord("https", 4, new InetSocketAddress("10.2.0.7", 1000 + i));
                r.hello("x".repeat(200) + ".example", List.of(), null, false);
                log.write(r); // what a loop thread does
            }
        });
        try {
            writes.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(n + " writes still blocked after 30 s: write must not wait for the disk");
        }
        assertTrue(log.dropped() > 0, "a full queue is counted");
        release.complete(null);
        log.close();
        reader.get(10, TimeUnit.SECONDS);
        assertEquals(n, log.written() + log.dropped(), "every record is either written or counted as dropped");
    }

    @Test
    void aReopenSplitsTheRecordsInQueueOrder() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = new AuditLog(file, 1L << 40, 0, 100);
        log.write(new AuditRecord("https", 4, new InetSocketAddress("10.2.0.7", 1000)));
        Files.move(file, dir.resolve("audit.jsonl.1")); // logrotate's move (the writer's handle follows it)
        log.reopen(); // ... and its SIGHUP, with the writer likely napping: all three land in one batch
        log.write(new AuditRecord("https", 4, new InetSocketAddress("10.2.0.7", 2000)));
        log.close();
        List<String> old = Files.readAllLines(dir.resolve("audit.jsonl.1"));
        List<String> fresh = Files.readAllLines(file);
        assertEquals(1, old.size());
        assertTrue(old.get(0).contains("10.2.0.7:1000"), old.get(0));
        assertEquals(1, fresh.size(), "queued after the reopen: in the new file");
        assertTrue(fresh.get(0).contains("10.2.0.7:2000"), fresh.get(0));
    }
}
