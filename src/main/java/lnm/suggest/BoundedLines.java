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
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int end;
    private final byte[] line;
    private int length;
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
            return new BoundedLines(b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw, maxBytes);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * Moves to the next line that fits, skipping longer ones.
     *
     * @return false at the end of the file
     * @throws IOException when the file cannot be read further (a truncated or corrupt gzip stream)
     */
    boolean next() throws IOException {
        while (true) {
            length = 0;
            boolean over = false;
            boolean any = false;
            while (true) {
                if (pos == end) {
                    end = in.read(chunk, 0, chunk.length);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        break;
                    }
                }
                any = true;
                int from = pos;
                while (pos < end && chunk[pos] != '\n') {
                    pos++;
                }
                int n = pos - from;
                if (!over && length + n <= line.length) {
                    System.arraycopy(chunk, from, line, length, n);
                    length += n;
                } else {
                    over = true;
                }
                if (pos < end) {
                    pos++; // the LF
                    break;
                }
            }
            if (!any) {
                return false;
            }
            lines++;
            if (over) {
                tooLong++;
                continue;
            }
            if (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            return true;
        }
    }

    /** Whether the current line holds these bytes (a cheap look before decoding it). */
    boolean mentions(byte[] ascii) {
        outer:
        for (int i = 0; i + ascii.length <= length; i++) {
            for (int k = 0; k < ascii.length; k++) {
                if (line[i + k] != ascii[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The current line as text. */
    String text() {
        return new String(line, 0, length, StandardCharsets.UTF_8);
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
