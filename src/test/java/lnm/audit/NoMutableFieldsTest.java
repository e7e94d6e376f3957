package lnm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The audit record is written by the connection that owns it and only read by everyone else:
 * no class of {@code lnm.audit} has a public field that can be assigned.
 */
class NoMutableFieldsTest {
    @Test
    void noPublicMutableFieldInTheAuditPackage() throws Exception {
        Path dir = Path.of(AuditRecord.class.getResource("AuditRecord.class").toURI()).getParent();
        List<String> found = new ArrayList<>();
        int classes = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString();
                Class<?> c = Class.forName("lnm.audit." + name.substring(0, name.length() - ".class".length()));
                classes++;
                for (Field field : c.getDeclaredFields()) {
                    int m = field.getModifiers();
                    if (Modifier.isPublic(m) && !Modifier.isFinal(m)) {
                        found.add(c.getSimpleName() + "." + field.getName());
                    }
                }
            }
        }
        assertTrue(classes > 3, "the package's classes were found: " + dir);
        assertEquals(List.of(), found, "public fields that can be assigned");
    }

    @Test
    void decisionIsAnEnumWrittenAsItsText() {
        AuditRecord r = new AuditRecord("https", 3, new java.net.InetSocketAddress("10.2.0.7", 50000));
        assertEquals(Verdict.DENY, r.decision(), "deny until allowed");
        assertTrue(r.toJson(r.startMillis()).contains("\"decision\":\"deny\""));
        r.decision(Verdict.ALLOW);
        assertTrue(r.toJson(r.startMillis()).contains("\"decision\":\"allow\""));
    }
}
