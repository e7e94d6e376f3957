package lnm.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Name suffixes under which anyone can get a name (the shipped {@code lnm/config/suffixes.txt}
 * says what it covers): public suffixes, where anyone registers a domain, and cloud tenant
 * namespaces, where anyone with an account creates a storage account, a registry, and so on.
 */
final class Suffixes {
    private static final String RESOURCE = "/lnm/config/suffixes.txt";
    private static final Set<String> PUBLIC;
    /** Tenant namespace -> what a tenant creates there ("storage account"). */
    private static final Map<String, String> TENANT;

    static {
        Set<String> pub = new java.util.HashSet<>();
        Map<String, String> tenant = new LinkedHashMap<>();
        try (InputStream in = Suffixes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the build");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String[] w = line.strip().split("\\s+", 3);
                if (w[0].equals("public")) {
                    for (String s : line.strip().split("\\s+")) {
                        pub.add(s.toLowerCase(Locale.ROOT));
                    }
                    pub.remove("public");
                } else if (w[0].equals("tenant") && w.length == 3) {
                    tenant.put(w[1].toLowerCase(Locale.ROOT), w[2]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PUBLIC = Set.copyOf(pub);
        TENANT = java.util.Collections.unmodifiableMap(tenant);
    }

    private Suffixes() {}

    /** True if anyone can register a domain directly below {@code suffix} (every single label is one). */
    static boolean isPublic(String suffix) {
        String s = suffix.toLowerCase(Locale.ROOT);
        return s.indexOf('.') < 0 || PUBLIC.contains(s);
    }

    /**
     * The tenant namespaces at or below {@code suffix} (what a wildcard {@code *.suffix} lets
     * through), each with what a tenant creates there; empty if none.
     */
    static Map<String, String> tenantsUnder(String suffix) {
        String s = suffix.toLowerCase(Locale.ROOT);
        Map<String, String> out = new LinkedHashMap<>();
        TENANT.forEach((ns, what) -> {
            if (ns.equals(s) || ns.endsWith("." + s)) {
                out.put(ns, what);
            }
        });
        return out;
    }
}
