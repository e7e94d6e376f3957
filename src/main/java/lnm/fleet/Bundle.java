package lnm.fleet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import lnm.config.BoxName;

/**
 * A signed configuration bundle: what the top box serves for one box. Text headers and two
 * length-prefixed files, then one Ed25519 signature over every byte before the signature line:
 *
 * <pre>
 * lnm-fleet-bundle 1
 * box l2-line1
 * generation 7
 * created 2026-11-30T15:04:05Z
 * file allowlist.properties 118
 * (118 bytes)
 * file lnm.properties 0
 * (0 bytes)
 * signature (base64 of 64 bytes)
 * </pre>
 *
 * Each file's bytes are followed by one LF. The box checks the signature before it looks at
 * anything else, then the box name (a bundle for another box is refused, so a relay cannot
 * swap them) and the generation (never lower than the one in force).
 *
 * @param signedLength how many leading bytes of {@code bytes} the signature covers
 */
public record Bundle(String box, long generation, String created, byte[] allowlist, byte[] overrides,
        byte[] bytes, int signedLength, byte[] signature) {
    static final String MAGIC = "lnm-fleet-bundle 1";
    static final int MAX_BYTES = 1 << 20;
    static final String ALLOWLIST = "allowlist.properties";
    static final String OVERRIDES = "lnm.properties";

    /** Builds and signs a bundle. */
    static Bundle sign(String box, long generation, byte[] allowlist, byte[] overrides, java.security.PrivateKey key) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(256 + allowlist.length + overrides.length);
        line(b, MAGIC);
        line(b, "box " + box);
        line(b, "generation " + generation);
        line(b, "created " + Instant.ofEpochSecond(Instant.now().getEpochSecond()));
        file(b, ALLOWLIST, allowlist);
        file(b, OVERRIDES, overrides);
        byte[] sig = KeyLines.sign(key, b.toByteArray());
        line(b, "signature " + Base64.getEncoder().encodeToString(sig));
        return parse(b.toByteArray());
    }

    private static void line(ByteArrayOutputStream b, String s) {
        b.writeBytes((s + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void file(ByteArrayOutputStream b, String name, byte[] content) {
        line(b, "file " + name + " " + content.length);
        b.writeBytes(content);
        b.write('\n');
    }

    /** Whether the signature verifies with one of the trusted keys. */
    boolean verifiedBy(List<String> trust) {
        return KeyLines.verify(trust, bytes, signedLength, signature);
    }

    /** Parses strictly; throws {@link IllegalArgumentException} naming what is wrong. Never trusts a length. */
    static Bundle parse(byte[] in) {
        if (in.length > MAX_BYTES) {
            throw new IllegalArgumentException("bundle of " + in.length + " bytes, at most " + MAX_BYTES);
        }
        Reader r = new Reader(in, "bundle");
        if (!r.line().equals(MAGIC)) {
            throw new IllegalArgumentException("not an lnm fleet bundle (first line is not '" + MAGIC + "')");
        }
        String box = r.field("box");
        if (!BoxName.valid(box)) {
            throw new IllegalArgumentException("bad box name in bundle");
        }
        long generation;
        try {
            generation = Long.parseLong(r.field("generation"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad generation in bundle");
        }
        if (generation < 1) {
            throw new IllegalArgumentException("bad generation in bundle");
        }
        String created = r.field("created");
        byte[] allowlist = r.file(ALLOWLIST);
        byte[] overrides = r.file(OVERRIDES);
        int signed = r.pos;
        byte[] sig = r.signature();
        return new Bundle(box, generation, created, allowlist, overrides, in, signed, sig);
    }

    /** Reads LF-terminated lines and counted files from a byte array, checking every bound. */
    static final class Reader {
        final byte[] in;
        final String what;
        int pos;

        /** @param what the kind of text read, for messages ("bundle", "answer") */
        Reader(byte[] in, String what) {
            this.in = in;
            this.what = what;
        }

        /** The last line, {@code signature = BASE64}: its bytes; nothing may follow it. */
        byte[] signature() {
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(field("signature"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad signature encoding in " + what);
            }
            if (pos != in.length) {
                throw new IllegalArgumentException("bytes after the signature line of the " + what);
            }
            return sig;
        }

        String line() {
            int end = pos;
            while (end < in.length && in[end] != '\n') {
                if (end - pos > 512) {
                    throw new IllegalArgumentException("header line too long in " + what);
                }
                end++;
            }
            if (end >= in.length) {
                throw new IllegalArgumentException(what + " ends early");
            }
            String s = new String(in, pos, end - pos, StandardCharsets.UTF_8);
            pos = end + 1;
            return s;
        }

        String field(String name) {
            String l = line();
            if (!l.startsWith(name + " ")) {
                throw new IllegalArgumentException("expected '" + name + "' in " + what + ", got '" + shorten(l) + "'");
            }
            return l.substring(name.length() + 1);
        }

        byte[] file(String name) {
            String len = field("file " + name);
            int n;
            try {
                n = Integer.parseInt(len);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad length of " + name + " in " + what);
            }
            if (n < 0 || n > in.length - pos - 1) {
                throw new IllegalArgumentException("length of " + name + " runs past the end of the " + what);
            }
            byte[] out = Arrays.copyOfRange(in, pos, pos + n);
            pos += n;
            if (in[pos] != '\n') {
                throw new IllegalArgumentException(name + " is not followed by a line end in " + what);
            }
            pos++;
            return out;
        }

        private static String shorten(String s) {
            return s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }
    }
}
