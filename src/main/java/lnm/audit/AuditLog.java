package lnm.audit;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * JSON Lines audit writer on its own thread.
 *
 * <p>Loop threads only {@link #write offer} finished lines to a bounded queue, so a slow disk
 * never blocks a loop; a full queue counts the record as dropped (visible in metrics and in
 * a warning), never silently. The writer flushes whenever the queue runs empty, rotates by
 * size ({@code file.1 .. file.keep}) and reopens the file on request (logrotate's SIGHUP).
 * The path {@code -} writes to standard output.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());
    /** The writer's nap between batches while records keep coming. */
    private static final long NAP_MILLIS = 40;
    /** Naps with nothing queued (about a second) before the writer blocks until a record comes. */
    private static final int IDLE_NAPS = 25;
    /** Bytes buffered before a write to the file. */
    private static final int WRITE_BYTES = 64 * 1024;

    /** What the writer thread takes from the queue: a finished line, or an instruction. */
    private sealed interface Entry permits Line, Marker {}

    /** One finished JSON object, without its line end. */
    private record Line(String json) implements Entry {}

    /** Instructions queued in line with the records, so they apply between the right two. */
    private enum Marker implements Entry {
        /** Write what came before, then stop. */
        STOP,
        /** Records queued after it go to the new file, those before to the old one. */
        REOPEN
    }

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final BlockingQueue<Entry> queue;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean reopen;
    private final Thread thread;
    private Writer out;
    private long size;

    public AuditLog(Path file, long maxBytes, int keep, int capacity) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.queue = new ArrayBlockingQueue<>(capacity);
        open();
        this.thread = new Thread(this::drain, "lnm-audit");
        thread.setDaemon(true);
        thread.start();
    }

    private boolean stdout() {
        return file.toString().equals("-");
    }

    private void open() throws IOException {
        if (stdout()) {
            out = new BufferedWriter(new OutputStreamWriter(new PrintStream(System.out), StandardCharsets.UTF_8));
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // 64 KiB of encoded bytes per write(2): a busy second's batches go out in a few calls
        // (the encoder alone would write every 8 KiB)
        out = new BufferedWriter(new OutputStreamWriter(new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), WRITE_BYTES),
                StandardCharsets.UTF_8));
        size = Files.size(file);
    }

    /** Queues one record; never blocks. */
    public void write(AuditRecord r) {
        if (!queue.offer(new Line(r.toJson(System.currentTimeMillis())))) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.warning("audit queue full: records are being dropped (" + dropped.get() + " so far)");
            }
        }
    }

    /**
     * Queues one finished JSON object (no line end); never blocks. Same queue and drop count as
     * {@link #write(AuditRecord)}. DNS queries are audited this way, as lines of their own shape
     * ({@code lnm.dns.QueryHandler.line}).
     */
    public void writeLine(String json) {
        if (json.isEmpty() || !queue.offer(new Line(json))) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.warning("audit queue full: records are being dropped (" + dropped.get() + " so far)");
            }
        }
    }

    /** Asks the writer to close and reopen the file (after an external rotation). */
    public void reopen() {
        if (!queue.offer(Marker.REOPEN)) {
            reopen = true; // queue full: reopen after the batch in hand
        }
    }

    public long written() {
        return written.get();
    }

    public long dropped() {
        return dropped.get();
    }

    private void reopenNow() throws IOException {
        if (stdout()) {
            out.flush(); // nothing to reopen; closing would close the process's standard output
            return;
        }
        out.close();
        open();
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(256);
        int idleRounds = 0;
        while (true) {
            try {
                // Busy: nap between batches, so writers never have to wake this thread (no
                // futex per record). Each nap costs two futex calls and each batch a write, so
                // the nap is long enough to keep that a few dozen calls a second, and short
                // enough that a record reaches the file within a tail's glance (the queue holds
                // 65,536, far more than a nap's worth). Quiet for a second: block until the
                // next record.
                Entry first = idleRounds < IDLE_NAPS ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    if (idleRounds < IDLE_NAPS) {
                        idleRounds++;
                        Thread.sleep(NAP_MILLIS);
                    }
                    continue;
                }
                idleRounds = 0;
                batch.add(first);
                queue.drainTo(batch, 4096);
                boolean stop = false;
                for (Entry e : batch) {
                    if (e instanceof Line line) {
                        append(line.json());
                    } else if (e == Marker.STOP) {
                        stop = true;
                    } else {
                        reopenNow();
                    }
                }
                batch.clear();
                out.flush();
                if (reopen) {
                    reopen = false;
                    reopenNow();
                }
                if (stop) {
                    out.close();
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.warning("audit log " + file + ": " + e.getMessage());
                sleepQuietly();
            }
        }
    }

    private void append(String line) throws IOException {
        if (!stdout() && maxBytes > 0 && size + line.length() + 1 > maxBytes && size > 0) {
            rotate();
        }
        out.write(line);
        out.write('\n');
        size += line.length() + 1;
        written.incrementAndGet();
    }

    private void rotate() throws IOException {
        out.close();
        for (int i = keep - 1; i >= 1; i--) {
            Path from = Path.of(file + "." + i);
            if (Files.exists(from)) {
                Files.move(from, Path.of(file + "." + (i + 1)), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep >= 1) {
            Files.move(file, Path.of(file + ".1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(file);
        }
        open();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes everything queued so far, then stops the writer. */
    @Override
    public void close() {
        try {
            queue.put(Marker.STOP);
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
