package lnm.importer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The text of a resource file: at most {@link Limits#MAX_BYTES} bytes (read so, not trusted to
 * a size, so that a FIFO or a device cannot fill the memory) of UTF-8, as YAML and JSON are
 * written; bytes that are not UTF-8 are an error at their line rather than a replacement
 * character in a name.
 */
final class ResourceFile {
    private ResourceFile() {}

    static String read(Path file) throws IOException, ParseException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(Limits.MAX_BYTES + 1);
        }
        if (bytes.length > Limits.MAX_BYTES) {
            throw new ParseException(0, "larger than " + Limits.MAX_BYTES + " bytes; an Lnm resource is a few kilobytes");
        }
        return decode(bytes);
    }

    static String decode(byte[] bytes) throws ParseException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) {
            r = d.flush(out);
        }
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ParseException(line, "bytes that are not UTF-8 (YAML and JSON resources are UTF-8)");
        }
        return out.flip().toString();
    }
}
