package lnm.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Annotated byte arrays for parser tests: hex digit pairs, {@code 'quoted ASCII'}, and
 * {@code #} comments to the end of the line, so each field of a vector can be labelled.
 */
public final class Hex {
    private Hex() {}

    public static byte[] parse(String annotated) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        int n = annotated.length();
        while (i < n) {
            char c = annotated.charAt(i);
            if (c == '#') {
                while (i < n && annotated.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\'') {
                int close = annotated.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed quote at " + i);
                }
                out.writeBytes(annotated.substring(i + 1, close).getBytes(StandardCharsets.UTF_8));
                i = close + 1;
            } else if (Character.isWhitespace(c) || c == ',') {
                i++;
            } else {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("odd hex digit at " + i);
                }
                out.write(Integer.parseInt(annotated.substring(i, i + 2), 16));
                i += 2;
            }
        }
        return out.toByteArray();
    }

    public static String of(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }
}
