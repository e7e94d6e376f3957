package lnm.importer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lnm import lnm-cr FILE --out DIR}: turns an Azure IoT Layered Network Management
 * resource into {@code DIR/lnm.properties} and {@code DIR/allowlist.properties}, made for the
 * Kubernetes shape (deploy/kubernetes); the command (the command line's {@code ImportCommand}) then checks
 * them as {@code lnm check} does.
 *
 * <p>The mapping: a destination of type {@code external} is {@code direct} at the top level
 * (no {@code parentIpAddr}) and {@code parent} below it; {@code internal} is a plant-internal
 * destination, {@code direct} at any level (resolved and connected by this box, never handed
 * up). {@code enableArcDomains} adds the shipped Arc endpoint list with the external value;
 * an entry of {@code domains} wins over the same pattern there. {@code sourceIpRange} becomes
 * {@code sources}; {@code parentIpAddr}/{@code parentPort} (default 443) become {@code parent}.
 * The pods listen on unprivileged ports and the Service publishes {@code spec.port}.
 */
public final class LnmImport {
    /** Where the pods listen for TLS; the Service maps spec.port (443 by default) to it. */
    static final int POD_TLS_PORT = 8443;

    private LnmImport() {}

    /**
     * The two files one import wrote.
     *
     * @param config     DIR/lnm.properties
     * @param allowlist  DIR/allowlist.properties
     * @param warnings   how many warnings the resource gave (printed already)
     * @param createdDir DIR when the import created it, else null
     */
    public record Written(Path config, Path allowlist, int warnings, Path createdDir) {
        /** Removes both files, and DIR if the import created it, as when the written config does not pass its check. */
        public void remove() throws IOException {
            Files.deleteIfExists(config);
            Files.deleteIfExists(allowlist);
            removeDir(createdDir);
        }
    }

    /**
     * Reads the resource in {@code file}, prints its warnings ({@code FILE:LINE: warning: ...})
     * and writes {@code DIR/lnm.properties} and {@code DIR/allowlist.properties}. Returns null
     * when nothing was written, having printed the one-line reason ({@code FILE:LINE: message}):
     * the resource cannot be read, is not an Lnm resource, holds a value lnm refuses, or a file
     * to write exists already. Never throws.
     */
    public static Written write(PrintStream out, Path file, Path dir) {
        LnmResource r;
        try {
            r = read(ResourceFile.read(file));
        } catch (ParseException e) {
            out.println(where(file, e.line()) + SafeText.printable(e.getMessage()));
            return null;
        } catch (IOException e) {
            out.println(file + ": cannot read: " + SafeText.printable(String.valueOf(e.getMessage())));
            return null;
        }
        for (LnmResource.Warning w : r.warnings()) {
            out.println(where(file, w.line()) + "warning: " + SafeText.printable(w.message()));
        }
        String configText;
        String allowlistText;
        try {
            configText = properties(r);
            allowlistText = allowlist(r, ArcDomains.patterns());
        } catch (IllegalStateException e) {
            out.println(file + ": " + SafeText.printable(String.valueOf(e.getMessage())));
            return null;
        }
        Path config = dir.resolve("lnm.properties");
        Path allowlist = dir.resolve("allowlist.properties");
        Path createdDir = Files.isDirectory(dir) ? null : dir;
        try {
            Files.createDirectories(dir);
            for (Path p : List.of(config, allowlist)) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.println(p + ": exists; lnm import does not overwrite (remove it or choose another --out)");
                    return null;
                }
            }
            Files.writeString(allowlist, allowlistText, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.writeString(config, configText, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                Files.deleteIfExists(allowlist);
                removeDir(createdDir);
                throw e;
            }
        } catch (IOException e) {
            out.println(dir + ": cannot write: " + SafeText.printable(String.valueOf(e.getMessage())));
            return null;
        }
        return new Written(config, allowlist, r.warnings().size(), createdDir);
    }

    /** Removes a folder the import created, unless something else has been put into it meanwhile. */
    private static void removeDir(Path createdDir) throws IOException {
        if (createdDir != null) {
            try {
                Files.deleteIfExists(createdDir);
            } catch (DirectoryNotEmptyException e) {
                // not only ours: left as it is
            }
        }
    }

    private static String where(Path file, int line) {
        return (line > 0 ? file + ":" + line : file.toString()) + ": ";
    }

    /** Parses JSON (the text starts with '{') or YAML, then reads the resource. */
    static LnmResource read(String text) throws ParseException {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Limits limits = new Limits();
        Node root = t.stripLeading().startsWith("{") ? JsonReader.parse(t, limits) : YamlReader.parse(t, limits);
        return LnmReader.read(root);
    }

    static String properties(LnmResource r) {
        PropertiesText t = new PropertiesText("lnm.properties");
        t.comment("lnm configuration imported from the Layered Network Management resource " + r.origin());
        t.comment("by `lnm import lnm-cr`. Made for the Kubernetes shape (deploy/kubernetes): audit records go to");
        t.comment("stdout (the pod log) and the admin endpoint listens on the pod's address for the kubelet's probes;");
        t.comment("the Service publishes neither. On a VM or bare metal set audit.file = audit.jsonl and");
        t.comment("admin.listen = 127.0.0.1:9090.").blank();
        if (r.level() != null) {
            t.entry("level", String.valueOf(r.level())).blank();
        }
        int port = r.port() != null ? r.port() : 443;
        t.comment("TLS passthrough: the Service publishes port " + port + " (spec.port) and maps it here");
        t.entry("listen.https", "0.0.0.0:" + POD_TLS_PORT);
        t.entry("listen.https.mode", "tls").blank();
        if (r.parent() != null) {
            t.comment("spec.parentIpAddr / spec.parentPort: the lnm one level up");
            t.entry("parent", r.parent()).blank();
        } else {
            t.comment("no spec.parentIpAddr: this is the top level, allowlisted names are resolved and connected here").blank();
        }
        t.entry("allowlist", "allowlist.properties").blank();
        if (!r.sources().isEmpty()) {
            t.comment("spec.allowList.sourceIpRange");
            t.entry("sources", String.join(", ", r.sources())).blank();
        } else {
            t.comment("no spec.allowList.sourceIpRange: clients from any address").blank();
        }
        t.entry("audit.file", "-");
        t.entry("admin.listen", "0.0.0.0:9090");
        return t.text();
    }

    static String allowlist(LnmResource r, List<String> arcPatterns) {
        String external = r.topLevel() ? "direct" : "parent";
        Map<String, String> fromDomains = new LinkedHashMap<>();
        PropertiesText t = new PropertiesText("allowlist.properties");
        t.comment("lnm allowlist imported from " + r.origin() + ".");
        t.comment("destinationType external -> " + external + (r.topLevel()
                ? " (top level: resolved with DNS and connected here)" : " (handed to the lnm one level up)"));
        t.comment("destinationType internal -> direct (a plant-internal destination, resolved and connected here)");
        t.blank().comment("--- spec.allowList.domains ---");
        for (LnmResource.Domain d : r.domains()) {
            String key = d.pattern().toLowerCase(Locale.ROOT);
            String value = d.internal() ? "direct" : external;
            String before = fromDomains.putIfAbsent(key, value);
            if (before == null) {
                t.entry(d.pattern(), value);
            } else if (!before.equals(value)) {
                t.comment(d.pattern() + " is listed again as " + (d.internal() ? "internal" : "external")
                        + "; the first entry (" + before + ") stands");
            }
        }
        if (r.arcDomains()) {
            t.blank().comment("--- spec.allowList.enableArcDomains: the Azure Arc / IoT Operations endpoints lnm ships ---");
            for (String p : arcPatterns) {
                if (!fromDomains.containsKey(p.toLowerCase(Locale.ROOT))) {
                    t.entry(p, external);
                }
            }
        }
        return t.text();
    }
}
