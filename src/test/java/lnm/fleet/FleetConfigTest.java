package lnm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.cli.Main;
import lnm.config.BoxName;
import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.LoadResult;
import lnm.config.Problem;

/** The fleet keys, the bundle format, the key files and {@code lnm check} on the top box. */
class FleetConfigTest {
    @TempDir
    Path dir;

    private LoadResult load(String... lines) throws Exception {
        Files.writeString(dir.resolve("lnm.properties"), "listen.https = 127.0.0.1:0\n" + String.join("\n", lines) + "\n");
        Files.writeString(dir.resolve("allowlist.properties"), "");
        return Config.load(dir.resolve("lnm.properties"));
    }

    private List<String> problems(String... lines) throws Exception {
        return load(lines).problems().stream().map(Problem::toString).toList();
    }

    private static String check(Path config, int expectedCode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new String[] {"check", "--config", config.toString()});
        String s = out.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, s);
        return s;
    }

    @Test
    void keysThatOnlyMakeSenseTogetherAreCheckedWithTheirLines() throws Exception {
        String trust = KeyLines.line(KeyLines.generate().getPublic());
        assertTrue(problems("fleet.dir = fleet", "fleet.listen = 0").get(0).endsWith(":2: fleet.dir is set but fleet.key is not: "
                + "the top box signs bundles with fleet.key (make one with lnm fleet keygen FILE)"));
        assertTrue(problems("fleet.source = 10.4.0.10").get(0).contains(":2: fleet.source is set but fleet.trust is empty"));
        assertTrue(problems("fleet.source = parent", "fleet.trust = " + trust).contains(dir.resolve("lnm.properties")
                + ":2: fleet.source is set but fleet.boxKey is not: a box signs its pulls with its own key (make one with "
                + "lnm fleet keygen FILE, and put FILE.pub's line into fleet.dir/<name>/box.pub at the top)"));
        assertTrue(problems("fleet.boxKey = box.key").get(0).contains(":2: fleet.boxKey is set but fleet.source is not"));
        assertTrue(problems("fleet.source = parent", "fleet.trust = " + trust, "fleet.boxKey = box.key").get(0)
                .contains("fleet.source = parent, but no parent is set"));
        assertTrue(problems("fleet.listen = 0").get(0).contains("fleet.listen needs fleet.dir and fleet.key"));
        assertTrue(problems("fleet.dir = f", "fleet.key = k", "fleet.listen = 0", "fleet.source = h", "fleet.trust = " + trust)
                .get(0).contains("the top signs and does not pull"));
        assertTrue(problems("name = L2!").get(0).contains("bad value 'L2!' for 'name'"));
        assertTrue(problems("fleet.trust = ed25519:AAAA").get(0).contains("an Ed25519 key has 32 bytes, not 3"));
        assertTrue(problems("fleet.interval = 0.01").get(0).contains("'fleet.interval': out of range"));

        Config c = load("parent = 10.4.0.10:443, 10.4.0.11", "fleet.source = parent", "fleet.trust = " + trust,
                "fleet.boxKey = box.key").config();
        assertEquals(List.of(new HostPort("10.4.0.10", FleetSource.DEFAULT_PORT), new HostPort("10.4.0.11", FleetSource.DEFAULT_PORT)),
                FleetSource.all(c), "every parent, in order, at the fleet port");
        Config d = load("fleet.source = 10.4.0.9", "fleet.trust = " + trust + ", " + KeyLines.line(KeyLines.generate().getPublic()),
                "fleet.boxKey = box.key").config();
        assertEquals(List.of(new HostPort("10.4.0.9", FleetSource.DEFAULT_PORT)), FleetSource.all(d));
        assertTrue(BoxName.valid(c.get(lnm.config.Key.NAME)), "the default name is the host name, made valid");
    }

    @Test
    void keygenWritesAPrivateKeyOnlyItsOwnerReadsAndNeverOverwrites() throws Exception {
        String line = FleetChainTest.keygen(dir.resolve("top.key"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("top.key"))));
        assertEquals(line + "\n", Files.readString(dir.resolve("top.key.pub")));
        var k = KeyLines.readPrivate(dir.resolve("top.key"));
        Bundle b = Bundle.sign("l2", 1, new byte[0], new byte[0], k);
        assertTrue(b.verifiedBy(List.of(line)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(1, Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new String[] {"fleet", "keygen", dir.resolve("top.key").toString()}));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("exists; not overwriting"));
    }

    @Test
    void bundlesParseStrictlyAndTheSignatureCoversEveryByteBeforeIt() throws Exception {
        var kp = KeyLines.generate();
        String trust = KeyLines.line(kp.getPublic());
        byte[] allow = "a.example = direct\nsignature x\n".getBytes(StandardCharsets.UTF_8);
        Bundle b = Bundle.sign("l2", 7, allow, "dns.ttl = 5\n".getBytes(StandardCharsets.UTF_8), kp.getPrivate());
        Bundle p = Bundle.parse(b.bytes());
        assertEquals("l2", p.box());
        assertEquals(7, p.generation());
        assertEquals(new String(allow, StandardCharsets.UTF_8), new String(p.allowlist(), StandardCharsets.UTF_8));
        assertTrue(p.verifiedBy(List.of(trust)));
        for (int i = 0; i < p.signedLength(); i += 7) {
            byte[] t = b.bytes().clone();
            t[i] ^= 1;
            boolean verified;
            try {
                verified = Bundle.parse(t).verifiedBy(List.of(trust));
            } catch (IllegalArgumentException e) {
                verified = false;
            }
            assertFalse(verified, "byte " + i + " changed");
        }
        for (int cut = 0; cut < b.bytes().length; cut += 5) {
            byte[] t = java.util.Arrays.copyOf(b.bytes(), cut);
            assertThrows(IllegalArgumentException.class, () -> Bundle.parse(t));
        }
        String text = new String(b.bytes(), StandardCharsets.UTF_8).replace("allowlist.properties 31", "allowlist.properties 99999");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Bundle.parse(text.getBytes(StandardCharsets.UTF_8)))
                .getMessage().contains("runs past the end"));
    }

    @Test
    void checkOnABoxBelowLoadsItsBoxKey() throws Exception {
        String trust = KeyLines.line(KeyLines.generate().getPublic());
        Files.writeString(dir.resolve("lnm.properties"), "listen.https = 127.0.0.1:0\nfleet.source = 127.0.0.1:9\n"
                + "fleet.trust = " + trust + "\nfleet.boxKey = box.key\nfleet.state = state\n");
        Files.writeString(dir.resolve("allowlist.properties"), "");
        assertTrue(check(dir.resolve("lnm.properties"), 1).contains("fleet.boxKey: "));
        FleetChainTest.keygen(dir.resolve("box.key"));
        check(dir.resolve("lnm.properties"), 0);
    }

    @Test
    void checkOnTheTopValidatesEveryBoxFolder() throws Exception {
        FleetChainTest.keygen(dir.resolve("top.key"));
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Files.createDirectories(fleet.resolve("l3"));
        Files.writeString(fleet.resolve("l3/allowlist.properties"), "*.example = parent\n");
        Files.createDirectories(fleet.resolve("l2"));
        Files.writeString(fleet.resolve("l2/allowlist.properties"), "ok.example = direct\nbad name = direct\n");
        Files.writeString(fleet.resolve("l2/lnm.properties"), "dns.ttl = 5\nadmin.listen = 0.0.0.0:80\n");
        Files.createDirectories(fleet.resolve("Bad"));
        Files.writeString(dir.resolve("lnm.properties"), "level = 4\nlisten.https = 127.0.0.1:0\nfleet.listen = 127.0.0.1:0\n"
                + "fleet.dir = fleet\nfleet.key = top.key\nfleet.state = state\n");
        Files.writeString(dir.resolve("allowlist.properties"), "");
        String out = check(dir.resolve("lnm.properties"), 1);
        assertTrue(out.contains("fleet/l2/allowlist.properties:2: bad destination"), out);
        assertTrue(out.contains("fleet/l2/lnm.properties:2: 'admin.listen' cannot be set from above"), out);
        assertTrue(out.contains("fleet/Bad: 'Bad' is not a box name"), out);
        assertFalse(out.contains("fleet/l3"), out);

        Files.writeString(fleet.resolve("l2/allowlist.properties"), "ok.example = direct\n");
        Files.writeString(fleet.resolve("l2/lnm.properties"), "dns.ttl = 5\n");
        Files.delete(fleet.resolve("Bad"));
        assertTrue(check(dir.resolve("lnm.properties"), 0).contains("2 box folder(s) in fleet.dir ok"), "box.pub is not needed to pass");
        Files.writeString(fleet.resolve("l3/box.pub"), "# l3\ned25519:AAAA\n");
        assertTrue(check(dir.resolve("lnm.properties"), 1).contains("fleet/l3/box.pub:2: 'ed25519:AAAA': an Ed25519 key has 32 bytes"));
        Files.writeString(fleet.resolve("l3/box.pub"), FleetChainTest.keygen(dir.resolve("l3.key")) + "\n");
        assertTrue(check(dir.resolve("lnm.properties"), 0).contains("2 box folder(s) in fleet.dir ok"));
        Files.delete(fleet.resolve("l3/allowlist.properties"));
        assertTrue(check(dir.resolve("lnm.properties"), 1).contains("fleet/l3/allowlist.properties: missing"));
    }
}
