package lnm.importer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lnm.config.PropertiesReader;

/**
 * The Azure Arc and IoT Operations endpoints lnm ships as {@code conf/allowlist.properties}; the
 * build copies that file into the jar, so {@code enableArcDomains: true} means exactly that list.
 */
final class ArcDomains {
    static final String RESOURCE = "/lnm/importer/allowlist.properties";

    private ArcDomains() {}

    /** The patterns of the shipped list, in file order. */
    static List<String> patterns() {
        try (InputStream in = ArcDomains.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the build did not put " + RESOURCE + " into the jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (PropertiesReader.Entry e : PropertiesReader.parse(Path.of("conf/allowlist.properties"), text).entries()) {
                out.add(e.key());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
