package lnm.suggest;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The lines of one audit file, each at most {@code maxBytes} long: a longer line is skipped
 * whole (read past, never held) and counted, so neither a line without an end nor a huge file
 * makes memory grow. A file that starts with the gzip magic is read through gzip whatever its
 * name ({@code audit.jsonl-20261204-1764806400.gz} as logrotate compresses it). Lines end at LF
 * (a CR before it is dropped) and are decoded as UTF-8, a bad byte becoming U+FFFD.
 */
final class BoundedLines implements AutoCloseable {
    private final InputStream in;
    private final byte[] line;
    private long lines;
    private long tooLong;

    private BoundedLines(InputStream in, int maxBytes) {
        this.in = in;
        this.line = new byte[maxBytes];
    }

    /**
     * Opens {@code file}, through gzip when it is compressed.
     *
     * @throws IOException when it cannot be opened or its gzip header is broken
     */
    static BoundedLines open(Path file, int maxBytes) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return new BoundedLines(in, maxBytes);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * The next line that fits, or null at the end of the file.
     *
     * @throws IOException when the file cannot be read further (a truncated or corrupt gzip stream)
     */
    String next() throws IOException {
        while (true) {
            int n = 0;
            boolean over = false;
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (n < line.length) {
                    line[n++] = (byte) b;
                } else {
                    over = true;
                }
            }
            if (b < 0 && n == 0 && !over) {
                return null;
            }
            lines++;
            if (over) {
                tooLong++;
                continue;
            }
            if (n > 0 && line[n - 1] == '\r') {
                n--;
            }
            return new String(line, 0, n, StandardCharsets.UTF_8);
        }
    }

    /** Lines read so far, skipped ones included. */
    long lines() {
        return lines;
    }

    /** Lines skipped as longer than the limit. */
    long tooLong() {
        return tooLong;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
