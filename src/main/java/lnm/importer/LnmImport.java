package lnm.importer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.config.Problem;

/**
 * {@code lnm import lnm-cr FILE --out DIR}: turns an Azure IoT Layered Network Management
 * resource into {@code DIR/lnm.properties} and {@code DIR/allowlist.properties}, made for the
 * Kubernetes shape (deploy/kubernetes), then checks them as {@code lnm check} does.
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

    /** Runs the command; returns the exit code (0 written and valid, 1 invalid input or output, 2 usage). */
    public static int run(PrintStream out, Path file, Path dir) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            out.println(file + ": cannot read: " + e.getMessage());
            return 1;
        }
        LnmResource r;
        try {
            r = read(text);
        } catch (ParseException e) {
            out.println((e.line() > 0 ? file + ":" + e.line() : file.toString()) + ": " + e.getMessage());
            return 1;
        }
        for (LnmResource.Warning w : r.warnings()) {
            out.println((w.line() > 0 ? file + ":" + w.line() : file.toString()) + ": warning: " + w.message());
        }
        Path config = dir.resolve("lnm.properties");
        Path allowlist = dir.resolve("allowlist.properties");
        try {
            Files.createDirectories(dir);
            for (Path p : List.of(config, allowlist)) {
                if (Files.exists(p)) {
                    out.println(p + ": exists; lnm import does not overwrite (remove it or choose another --out)");
                    return 1;
                }
            }
            Files.writeString(allowlist, allowlist(r, ArcDomains.patterns()));
            Files.writeString(config, properties(r));
        } catch (IOException e) {
            out.println(dir + ": cannot write: " + e.getMessage());
            return 1;
        }
        LoadResult check = Config.load(config);
        if (!check.ok()) {
            for (Problem p : check.problems()) {
                out.println(p);
            }
            out.println("the written files are not valid (see above)");
            return 1;
        }
        out.println("wrote " + config + " and " + allowlist + " (" + check.config().allowlist().rules().size()
                + " allowlist rule(s), " + r.warnings().size() + " warning(s)); `lnm check --config " + config + "` passes");
        return 0;
    }

    /** Parses JSON (the text starts with '{') or YAML, then reads the resource. */
    static LnmResource read(String text) throws ParseException {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Node root = t.stripLeading().startsWith("{") ? JsonReader.parse(t) : YamlReader.parse(t);
        return LnmReader.read(root);
    }

    static String properties(LnmResource r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# lnm configuration imported from the Layered Network Management resource ").append(r.origin()).append('\n');
        sb.append("# by `lnm import lnm-cr`. Made for the Kubernetes shape (deploy/kubernetes): audit records go to\n");
        sb.append("# stdout (the pod log) and the admin endpoint listens on the pod's address for the kubelet's probes;\n");
        sb.append("# the Service publishes neither. On a VM or bare metal set audit.file = audit.jsonl and\n");
        sb.append("# admin.listen = 127.0.0.1:9090.\n\n");
        if (r.level() != null) {
            sb.append("level = ").append(r.level()).append("\n\n");
        }
        int port = r.port() != null ? r.port() : 443;
        sb.append("# TLS passthrough: the Service publishes port ").append(port).append(" (spec.port) and maps it here\n");
        sb.append("listen.https = 0.0.0.0:").append(POD_TLS_PORT).append('\n');
        sb.append("listen.https.mode = tls\n\n");
        if (r.parent() != null) {
            sb.append("# spec.parentIpAddr / spec.parentPort: the lnm one level up\n");
            sb.append("parent = ").append(r.parent()).append("\n\n");
        } else {
            sb.append("# no spec.parentIpAddr: this is the top level, allowlisted names are resolved and connected here\n\n");
        }
        sb.append("allowlist = allowlist.properties\n\n");
        if (!r.sources().isEmpty()) {
            sb.append("# spec.allowList.sourceIpRange\n");
            sb.append("sources = ").append(String.join(", ", r.sources())).append("\n\n");
        } else {
            sb.append("# no spec.allowList.sourceIpRange: clients from any address\n\n");
        }
        sb.append("audit.file = -\n");
        sb.append("admin.listen = 0.0.0.0:9090\n");
        return sb.toString();
    }

    static String allowlist(LnmResource r, List<String> arcPatterns) {
        String external = r.topLevel() ? "direct" : "parent";
        Map<String, String> fromDomains = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder();
        sb.append("# lnm allowlist imported from ").append(r.origin()).append(".\n");
        sb.append("# destinationType external -> ").append(external).append(r.topLevel()
                ? " (top level: resolved with DNS and connected here)" : " (handed to the lnm one level up)").append('\n');
        sb.append("# destinationType internal -> direct (a plant-internal destination, resolved and connected here)\n");
        sb.append("\n# --- spec.allowList.domains ---\n");
        for (LnmResource.Domain d : r.domains()) {
            String key = d.pattern().toLowerCase(Locale.ROOT);
            String value = d.internal() ? "direct" : external;
            String before = fromDomains.putIfAbsent(key, value);
            if (before == null) {
                sb.append(d.pattern()).append(" = ").append(value).append('\n');
            } else if (!before.equals(value)) {
                sb.append("# ").append(d.pattern()).append(" is listed again as ").append(d.internal() ? "internal" : "external")
                        .append("; the first entry (").append(before).append(") stands\n");
            }
        }
        if (r.arcDomains()) {
            sb.append("\n# --- spec.allowList.enableArcDomains: the Azure Arc / IoT Operations endpoints lnm ships ---\n");
            for (String p : arcPatterns) {
                if (!fromDomains.containsKey(p.toLowerCase(Locale.ROOT))) {
                    sb.append(p).append(" = ").append(external).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
