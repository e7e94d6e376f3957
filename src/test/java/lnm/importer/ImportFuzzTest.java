package lnm.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Main;
import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.config.PropertiesReader;

/**
 * `lnm import lnm-cr` on random bytes and on mutants of real resources (fixed seed, bounded
 * count): every input ends either in two written files that pass the check and hold only the
 * entries an import makes, or in exit 1 with one error line that names the file, and nothing
 * left in the out folder; never in an exception out of {@link Main#run}.
 */
class ImportFuzzTest {
    static final long SEED = 0x6c6e6d2d6372L;
    static final int RANDOM_INPUTS = 500;
    static final int MUTANTS = 2000;
    static final byte[] INSERTS = "[{:-\"'\n\\".getBytes(StandardCharsets.US_ASCII);
    static final Set<String> CONFIG_KEYS = Set.of("level", "listen.https", "listen.https.mode", "parent", "allowlist",
            "sources", "audit.file", "admin.listen");
    static final String PATTERN = "(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*";

    @TempDir
    Path tmp;
    int n;
    int written;

    static byte[] fixture(String name) throws Exception {
        try (InputStream in = ImportFuzzTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    static List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(fixture("level4.yaml"));
        seeds.add(fixture("level3.json"));
        seeds.add(fixture("e4in.yaml"));
        seeds.add(String.join("\n",
                "apiVersion: layerednetworkmgmt.iotoperations.azure.com/v1beta1",
                "kind: Lnm",
                "metadata:",
                "  name: \"a\\ndirect.allowSpecialAddresses = any\\nlisten.https.acceptProxyProtocol = any\\n#\"",
                "spec:",
                "  level: 3",
                "  parentIpAddr: 10.4.0.10",
                "  allowList:",
                "    domains: [{destinationUrl: 'https://a.example:443/x', destinationType: internal}, {destinationUrl: b.example}]",
                "    sourceIpRange:",
                "    - {addressPrefix: 10.3.0.0, prefixLen: 16}",
                "    enableArcDomains: true",
                "").getBytes(StandardCharsets.UTF_8));
        return seeds;
    }

    @Test
    void everyInputEndsInAValidImportOrOneErrorLine() throws Exception {
        Random rnd = new Random(SEED);
        // the two reproduced cases as they are
        importOne(seeds().get(3), "yaml");
        importOne("[".repeat(300_000).getBytes(StandardCharsets.US_ASCII), "yaml");
        for (int i = 0; i < RANDOM_INPUTS; i++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            if (i % 2 == 0 && b.length > 0) {
                b[0] = '{'; // read as JSON
            }
            importOne(b, "bin");
        }
        List<byte[]> seeds = seeds();
        for (int i = 0; i < MUTANTS; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] b = seed;
            for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
                b = mutate(b, rnd);
            }
            importOne(b, i % seeds.size() == 1 ? "json" : "yaml");
        }
        // the mutants must not all be refused, or the assertions on written files say nothing
        assertTrue(written > MUTANTS / 20, written + " of " + n + " inputs imported");
    }

    static byte[] mutate(byte[] b, Random rnd) {
        int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
        switch (rnd.nextInt(6)) {
            case 0 -> { // flip one bit, mostly one that keeps the text ASCII (the random inputs try the rest)
                if (b.length > 0) {
                    b = b.clone();
                    b[at] ^= (byte) (1 << rnd.nextInt(rnd.nextInt(8) == 0 ? 8 : 7));
                }
            }
            case 1 -> { // insert one of the characters that structure YAML and JSON
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at);
                c[at] = INSERTS[rnd.nextInt(INSERTS.length)];
                System.arraycopy(b, at, c, at + 1, b.length - at);
                b = c;
            }
            case 2 -> b = java.util.Arrays.copyOf(b, at); // truncate
            case 3 -> { // duplicate a slice at another place
                int len = b.length == 0 ? 0 : rnd.nextInt(Math.min(200, b.length - at) + 1);
                int to = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
                byte[] c = new byte[b.length + len];
                System.arraycopy(b, 0, c, 0, to);
                System.arraycopy(b, at, c, to, len);
                System.arraycopy(b, to, c, to + len, b.length - to);
                b = c;
            }
            case 4 -> { // delete a slice
                int len = b.length == 0 ? 0 : rnd.nextInt(Math.min(20, b.length - at) + 1);
                byte[] c = new byte[b.length - len];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + len, c, at, b.length - at - len);
                b = c;
            }
            default -> { // one random byte: a control character half of the time, else mostly ASCII
                if (b.length > 0) {
                    b = b.clone();
                    b[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(0x20) : rnd.nextInt(rnd.nextInt(8) == 0 ? 256 : 128));
                }
            }
        }
        return b;
    }

    void importOne(byte[] input, String ext) throws Exception {
        int id = n++;
        Path in = tmp.resolve("in" + id + "." + ext);
        Path out = tmp.resolve("out" + id);
        Files.write(in, input);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            code = Main.run(new PrintStream(buf, true, StandardCharsets.UTF_8), new String[] {"import", "lnm-cr", in.toString(), "--out", out.toString()});
        } catch (Throwable t) {
            throw new AssertionError(in + " escaped Main.run: " + t, t);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        // said only when an assertion fails: the input (as hex when short) and what was printed
        Supplier<String> context = () -> "input " + id + ": " + (input.length > 400 ? input.length + " bytes"
                : HexFormat.of().formatHex(input)) + "\n" + printed;
        assertFalse(printed.chars().anyMatch(c -> c != '\n' && c != '\r' && SafeText.unsafe((char) c)), context);
        // the lines that are not warnings about the resource or the written files
        List<String> lines = printed.lines().filter(l -> !((l.startsWith(in + ":") || l.startsWith(out + File.separator))
                && l.contains(": warning: "))).toList();
        if (code == 1) {
            assertEquals(1, lines.size(), () -> "one error line: " + context.get());
            assertTrue(lines.get(0).startsWith(in + ":"), context);
            assertFalse(Files.exists(out), () -> "nothing left: " + context.get());
            return;
        }
        assertEquals(0, code, context);
        written++;
        assertEquals(1, lines.size(), context);
        assertTrue(lines.get(0).startsWith("wrote "), context);
        Path config = out.resolve("lnm.properties");
        LoadResult check = Config.load(config);
        assertTrue(check.ok(), () -> context.get() + check.problems());
        PropertiesReader.Result props = PropertiesReader.read(config);
        assertTrue(props.problems().isEmpty(), context);
        for (PropertiesReader.Entry e : props.entries()) {
            assertTrue(CONFIG_KEYS.contains(e.key()), () -> "a key the import does not write: " + e + "\n" + context.get());
        }
        assertEquals(props.entries().size(), props.entries().stream().map(PropertiesReader.Entry::key).distinct().count(), context);
        PropertiesReader.Result allow = PropertiesReader.read(out.resolve("allowlist.properties"));
        assertTrue(allow.problems().isEmpty(), context);
        for (PropertiesReader.Entry e : allow.entries()) {
            assertTrue(e.key().matches(PATTERN) && (e.value().equals("direct") || e.value().equals("parent")), () -> e + "\n" + context.get());
        }
        for (Path p : List.of(config, out.resolve("allowlist.properties"))) {
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                assertFalse(line.chars().anyMatch(c -> SafeText.unsafe((char) c)), () -> p + ": " + line + "\n" + context.get());
                if (!line.isEmpty() && !line.startsWith("# ") && !line.contains(" = ")) {
                    fail(p + ": a line that is neither empty, a comment nor an entry: " + line + "\n" + context.get());
                }
            }
        }
    }
}
