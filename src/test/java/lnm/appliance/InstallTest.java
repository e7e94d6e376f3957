package lnm.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** install.sh and uninstall.sh from the appliance tarball, into temporary roots. */
class InstallTest {
    @TempDir
    Path root;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static int owner(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int group(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /** uid and gid of user lnm in ROOT/etc/passwd, or -1. */
    private int[] lnmIds() throws IOException {
        return lnmIds(root);
    }

    private static int[] lnmIds(Path root) throws IOException {
        for (String line : Files.readAllLines(root.resolve("etc/passwd"))) {
            String[] f = line.split(":");
            if (f[0].equals("lnm")) {
                return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
            }
        }
        return new int[] {-1, -1};
    }

    @Test
    void freshInstallLaysOutFilesOwnersAndModes() throws IOException {
        Path root = Appliance.sharedInstall(); // --harden --plant-if plant0 --outside-if wan0 --enable

        // the service user: a system account without a login shell, home = state directory
        String passwd = Files.readString(root.resolve("etc/passwd"));
        assertTrue(passwd.matches("(?ms).*^lnm:x:\\d+:\\d+:[^:]*:/var/lib/lnm:/usr/sbin/nologin$.*"), passwd);
        int[] ids = lnmIds(root);
        assertTrue(ids[0] > 0 && ids[0] < 1000, "system uid: " + ids[0]);
        assertTrue(Files.readString(root.resolve("etc/sysusers.d/lnm.conf")).contains("u lnm "));

        // the runtime image: root's, not writable by anyone else
        Path lnm = root.resolve("opt/lnm/bin/lnm");
        assertEquals("rwxr-xr-x", mode(lnm));
        assertEquals(0, owner(lnm));
        assertEquals("rw-r--r--", mode(root.resolve("opt/lnm/lib/server/classes.jsa")));
        assertTrue(Files.isRegularFile(root.resolve("opt/lnm/lib/modules")));
        assertTrue(Files.isExecutable(root.resolve("opt/lnm/share/appliance/uninstall.sh")));
        assertEquals("/opt/lnm/bin/lnm", Files.readSymbolicLink(root.resolve("usr/local/bin/lnm")).toString());

        // configuration: root-owned, readable by group lnm only
        Path etc = root.resolve("etc/lnm");
        assertEquals("rwxr-x---", mode(etc));
        assertEquals(0, owner(etc));
        assertEquals(ids[1], group(etc));
        for (String f : List.of("lnm.properties", "allowlist.properties", "lnm.env", "nftables.conf")) {
            Path p = etc.resolve(f);
            assertEquals("rw-r-----", mode(p), f);
            assertEquals(0, owner(p), f);
            assertEquals(ids[1], group(p), f);
        }
        // the audit log goes where the service may write (not the read-only /etc/lnm)
        String props = Files.readString(etc.resolve("lnm.properties"));
        assertTrue(props.matches("(?ms).*^audit\\.file = /var/log/lnm/[^/\\s]+$.*"), props);
        String shipped = Files.readString(Appliance.unpacked().resolve("conf/allowlist.properties"));
        assertEquals(shipped, Files.readString(etc.resolve("allowlist.properties")));

        // state and log directories belong to the service user
        for (String d : List.of("var/lib/lnm", "var/log/lnm")) {
            assertEquals("rwxr-x---", mode(root.resolve(d)), d);
            assertEquals(ids[0], owner(root.resolve(d)), d);
        }

        // units, enabled; hardening files with the given interfaces
        Path units = root.resolve("etc/systemd/system");
        assertEquals("rw-r--r--", mode(units.resolve("lnm.service")));
        assertTrue(Files.readString(units.resolve("lnm.service"))
                .contains("ExecStart=/opt/lnm/bin/lnm run --config /etc/lnm/lnm.properties"));
        assertEquals("../lnm.service",
                Files.readSymbolicLink(units.resolve("multi-user.target.wants/lnm.service")).toString());
        assertTrue(Files.isSymbolicLink(units.resolve("sysinit.target.wants/lnm-firewall.service")));
        String nft = Files.readString(etc.resolve("nftables.conf"));
        assertTrue(nft.contains("define plant_if = \"plant0\""), nft);
        assertTrue(nft.contains("define outside_if = \"wan0\""), nft);
        assertTrue(nft.matches("(?ms).*^define lnm_ports = \\{ \\d+(, \\d+)* \\}$.*"), nft);
        assertTrue(Files.readString(root.resolve("etc/sysctl.d/90-lnm.conf")).contains("net.ipv4.ip_forward = 0"));
        assertTrue(Files.readString(root.resolve("etc/logrotate.d/lnm")).contains("/var/log/lnm/"));
    }

    @Test
    void installedLauncherRunsFromItsNewPlaceWithTheCdsArchive() throws IOException {
        Path root = Appliance.sharedInstall();
        Path lnm = root.resolve("opt/lnm/bin/lnm");
        assertEquals("lnm " + Appliance.version(), Sh.run(List.of(lnm.toString(), "version")).ok().out().trim());

        // through a symbolic link, as /usr/local/bin/lnm is used
        Path link = Files.createSymbolicLink(this.root.resolve("lnm-link"), lnm);
        assertEquals("lnm " + Appliance.version(), Sh.run(List.of(link.toString(), "version")).ok().out().trim());

        // the archive was dumped in build/image; it still maps here, and lnm's classes come from it
        Sh cds = Sh.run(List.of(lnm.toString(), "version"),
                Map.of("LNM_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info:stdout"), null).ok();
        assertTrue(cds.out().contains("lnm.cli.Main source: shared objects file"), cds.out());

        // the installed configuration is valid
        Sh check = Sh.run(List.of(lnm.toString(), "check", "--config", root.resolve("etc/lnm/lnm.properties").toString()));
        assertEquals(0, check.exit(), check.out());
    }

    @Test
    void secondInstallKeepsEditedConfigAndReplacesTheImage() throws IOException {
        Appliance.install(root, "--harden", "--plant-if", "plant0", "--outside-if", "wan0").ok();
        Path etc = root.resolve("etc/lnm");
        String shipped = Files.readString(Appliance.unpacked().resolve("conf/allowlist.properties"));
        String edited = "# edited by the plant\nhistorian.plant.local = 10.3.0.20:443\n";
        Files.writeString(etc.resolve("allowlist.properties"), edited);
        String props = Files.readString(etc.resolve("lnm.properties"));
        Path stale = Files.writeString(root.resolve("opt/lnm/stale-file"), "x");

        Sh second = Appliance.install(root, "--harden").ok();

        assertEquals(edited, Files.readString(etc.resolve("allowlist.properties")), second.out());
        assertEquals(shipped, Files.readString(etc.resolve("allowlist.properties.dist")));
        assertEquals("rw-r-----", mode(etc.resolve("allowlist.properties")));
        assertEquals(props, Files.readString(etc.resolve("lnm.properties")));
        assertFalse(Files.exists(etc.resolve("lnm.properties.dist")));
        // interfaces given the first time are kept when not given again
        assertTrue(Files.readString(etc.resolve("nftables.conf")).contains("define plant_if = \"plant0\""));
        assertFalse(Files.exists(stale), "the image is replaced, not merged");
        assertTrue(Files.isExecutable(root.resolve("opt/lnm/bin/lnm")));
        try (var s = Files.list(root.resolve("opt"))) {
            assertEquals(List.of("lnm"), s.map(p -> p.getFileName().toString()).toList(), "no staging leftovers");
        }
        long users = Files.readAllLines(root.resolve("etc/passwd")).stream().filter(l -> l.startsWith("lnm:")).count();
        assertEquals(1, users);

    }

    @Test
    void uninstallKeepsConfigAndLogsUnlessPurged() throws IOException {
        Appliance.install(root, "--enable").ok();
        Files.writeString(root.resolve("var/log/lnm/audit.jsonl"), "{}\n");

        Appliance.uninstall(root).ok();
        assertFalse(Files.exists(root.resolve("opt/lnm")));
        assertFalse(Files.exists(root.resolve("etc/systemd/system/lnm.service")));
        assertFalse(Files.exists(root.resolve("etc/systemd/system/multi-user.target.wants/lnm.service"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("usr/local/bin/lnm"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(root.resolve("etc/lnm/lnm.properties")));
        assertTrue(Files.exists(root.resolve("var/log/lnm/audit.jsonl")));
        assertNotEquals(-1, lnmIds()[0]);

        Appliance.install(root).ok();
        Appliance.uninstall(root, "--purge").ok();
        assertFalse(Files.exists(root.resolve("etc/lnm")));
        assertFalse(Files.exists(root.resolve("var/log/lnm")));
        assertEquals(-1, lnmIds()[0]);
    }

    @Test
    void refusesToReplaceSomethingElse() throws IOException {
        Path other = Files.createDirectories(root.resolve("opt/lnm"));
        Files.writeString(other.resolve("precious"), "not ours");
        Sh r = Appliance.install(root);
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("not an lnm installation"), r.out());
        assertTrue(Files.exists(other.resolve("precious")));
    }
}
