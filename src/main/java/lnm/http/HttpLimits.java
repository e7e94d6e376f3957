package lnm.http;

/**
 * Bounds on a request head; anything larger is refused rather than buffered.
 *
 * @param maxHeadBytes the whole head, request line to the empty line, leading blank lines included
 * @param maxHeaders header lines in one head (trailer lines of a chunked body count the same)
 * @param maxChunkLine one chunk-size line of a chunked body, extensions included
 */
public record HttpLimits(int maxHeadBytes, int maxHeaders, int maxChunkLine) {
    /** 16 KiB, 100 headers, 1 KiB chunk lines: generous for agents, small next to a 64 KiB relay buffer. */
    public static final HttpLimits DEFAULT = new HttpLimits(16 * 1024, 100, 1024);

    public HttpLimits {
        if (maxHeadBytes < 64 || maxHeaders < 1 || maxChunkLine < 8) {
            throw new IllegalArgumentException("limits too small");
        }
    }
}
