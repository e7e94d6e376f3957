package lnm.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A ConfigMap volume as the kubelet lays it out and updates it:
 * <pre>
 *   lnm.properties       -> ..data/lnm.properties
 *   allowlist.properties -> ..data/allowlist.properties
 *   ..data               -> ..2026_11_30_13_00_00.000000001
 *   ..2026_11_30_13_00_00.000000001/{lnm.properties,allowlist.properties}
 * </pre>
 * An update writes a new timestamped folder, points a temporary link {@code ..data_tmp} at it,
 * renames that link over {@code ..data} (one atomic rename) and deletes the old folder. No event
 * names {@code lnm.properties} or {@code allowlist.properties}.
 */
final class KubeletVolume {
    private final Path mount;
    private final String config;

    /** Lays out the first payload ({@code config} and {@code allowlist}) under {@code mount}. */
    KubeletVolume(Path mount, String config, String allowlist) throws IOException {
        this.mount = mount;
        this.config = config;
        Path first = payload("..2026_11_30_13_00_00.000000001", allowlist);
        Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
        for (String name : new String[] {"lnm.properties", "allowlist.properties"}) {
            Files.createSymbolicLink(mount.resolve(name), Path.of("..data", name));
        }
    }

    Path configFile() {
        return mount.resolve("lnm.properties");
    }

    Path allowlistFile() {
        return mount.resolve("allowlist.properties");
    }

    private Path payload(String name, String allowlist) throws IOException {
        Path d = Files.createDirectory(mount.resolve(name));
        Files.writeString(d.resolve("lnm.properties"), config);
        Files.writeString(d.resolve("allowlist.properties"), allowlist);
        return d;
    }

    /** The kubelet's update, step by step: new folder, link renamed over {@code ..data}, old folder deleted. */
    void swap(String newFolder, String allowlist) throws IOException {
        Path old = Files.readSymbolicLink(mount.resolve("..data"));
        payload(newFolder, allowlist);
        Path tmp = Files.createSymbolicLink(mount.resolve("..data_tmp"), Path.of(newFolder));
        Files.move(tmp, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> s = Files.walk(mount.resolve(old))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
