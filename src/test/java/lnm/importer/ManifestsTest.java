package lnm.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.Config;
import lnm.config.LoadResult;

/**
 * What deploy/kubernetes promises, read with lnm's own YAML reader: the ConfigMap's files pass
 * `lnm check`, the probes and the hardening are there, the Service keeps client addresses and
 * does not publish the admin port. (mk/container-test.sh runs them under podman kube play.)
 */
class ManifestsTest {
    static final Path DIR = Path.of("deploy/kubernetes");

    @TempDir
    Path tmp;

    static Map<String, Node> read(String file) throws Exception {
        return YamlReader.parse(Files.readString(DIR.resolve(file))).map();
    }

    static Node at(Node n, String... path) {
        for (String p : path) {
            n = p.matches("[0-9]+") ? n.list().get(Integer.parseInt(p)) : n.map().get(p);
        }
        return n;
    }

    @Test
    void theConfigMapFilesPassCheck() throws Exception {
        Map<String, Node> data = read("configmap.yaml").get("data").map();
        Files.writeString(tmp.resolve("lnm.properties"), data.get("lnm.properties").scalar());
        Files.writeString(tmp.resolve("allowlist.properties"), data.get("allowlist.properties").scalar());
        LoadResult r = Config.load(tmp.resolve("lnm.properties"));
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(9090, r.config().adminListen().orElseThrow().getPort());
    }

    @Test
    void theDeploymentIsHardenedAndProbed() throws Exception {
        Node d = new Node(read("deployment.yaml"), 1);
        assertEquals("2", at(d, "spec", "replicas").scalar());
        Node c = at(d, "spec", "template", "spec", "containers", "0");
        assertEquals("/readyz", at(c, "readinessProbe", "httpGet", "path").scalar());
        assertEquals("/healthz", at(c, "livenessProbe", "httpGet", "path").scalar());
        assertEquals("true", at(c, "securityContext", "readOnlyRootFilesystem").scalar());
        assertEquals("false", at(c, "securityContext", "allowPrivilegeEscalation").scalar());
        assertEquals("ALL", at(c, "securityContext", "capabilities", "drop", "0").scalar());
        assertEquals(List.of("NET_BIND_SERVICE"), at(c, "securityContext", "capabilities", "add").list().stream().map(Node::scalar).toList());
        assertEquals("true", at(d, "spec", "template", "spec", "securityContext", "runAsNonRoot").scalar());
        assertEquals("768Mi", at(c, "resources", "limits", "memory").scalar());
        // mounted as a folder: a subPath mount would never see a ConfigMap update
        assertTrue(at(c, "volumeMounts").list().stream().noneMatch(m -> m.map().containsKey("subPath")));
    }

    @Test
    void theServiceKeepsClientAddressesAndHidesTheAdminPort() throws Exception {
        Node s = new Node(read("service.yaml"), 1);
        assertEquals("LoadBalancer", at(s, "spec", "type").scalar());
        assertEquals("Local", at(s, "spec", "externalTrafficPolicy").scalar());
        for (Node p : at(s, "spec", "ports").list()) {
            assertFalse(p.map().get("targetPort").scalar().equals("admin") || p.map().get("port").scalar().equals("9090"));
        }
        assertEquals("1", at(new Node(read("pdb.yaml"), 1), "spec", "minAvailable").scalar());
    }

    @Test
    void theNetworkPolicyOpensTheProxyPortsAndKeepsTheAdminPortToPrometheus() throws Exception {
        Node np = new Node(read("networkpolicy.yaml"), 1);
        assertEquals("NetworkPolicy", at(np, "kind").scalar());
        Node d = new Node(read("deployment.yaml"), 1);
        assertEquals(at(d, "spec", "template", "metadata", "labels", "app.kubernetes.io/name").scalar(),
                at(np, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name").scalar());
        assertEquals(List.of("Ingress"), at(np, "spec", "policyTypes").list().stream().map(Node::scalar).toList());
        List<Node> rules = at(np, "spec", "ingress").list();
        assertEquals(2, rules.size());
        Node open = rules.get(0);
        assertFalse(open.map().containsKey("from"), "the proxy ports from any source: lnm's sources decides");
        assertEquals(List.of("8443", "8883"), at(open, "ports").list().stream().map(p -> at(p, "port").scalar()).toList());
        Node admin = rules.get(1);
        assertEquals(List.of("9090"), at(admin, "ports").list().stream().map(p -> at(p, "port").scalar()).toList());
        assertEquals("monitoring", at(admin, "from", "0", "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name").scalar());
        assertEquals("prometheus", at(admin, "from", "0", "podSelector", "matchLabels", "app.kubernetes.io/name").scalar());
        assertEquals(1, at(admin, "from").list().size(), "nothing else reaches the admin port");
    }

    /**
     * The README's by-hand run: {@code cat deploy/kubernetes/{configmap,deployment,service}.yaml
     * > lnm.yaml; podman kube play lnm.yaml}. Each file starts its own document with {@code ---},
     * so any concatenation of them is a stream of one document per file, never one document
     * with every key twice.
     */
    @Test
    void theFilesConcatenateIntoOneDocumentEach() throws Exception {
        StringBuilder cat = new StringBuilder();
        for (String f : List.of("configmap.yaml", "deployment.yaml", "service.yaml")) {
            cat.append(Files.readString(DIR.resolve(f)));
        }
        List<String> kinds = new java.util.ArrayList<>();
        for (String doc : cat.toString().split("(?m)^---$")) {
            if (!doc.isBlank()) {
                kinds.add(YamlReader.parse(doc).map().get("kind").scalar());
            }
        }
        assertEquals(List.of("ConfigMap", "Deployment", "Service"), kinds);
        try (var files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                assertTrue(Files.readString(f).startsWith("---\n"), f + " does not start with '---'");
            }
        }
    }
}
