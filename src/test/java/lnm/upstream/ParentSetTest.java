package lnm.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lnm.config.HostPort;

/** Order, passive marks, active checks and reloads, on a clock the test moves. */
class ParentSetTest {
    private static final HostPort A = new HostPort("10.4.0.10", -1);
    private static final HostPort B = new HostPort("10.4.0.11", 8443);
    private static final HostPort C = new HostPort("l4c.plant.local", -1);

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(1_000_000);

    private ParentSet set(String... lines) {
        return new ParentSet(Configs.load(dir, lines), now::get);
    }

    @Test
    void failoverKeepsTheWrittenOrderWhileAllAreUp() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443, l4c.plant.local");
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(A, B, C), s.candidates());
        }
    }

    @Test
    void aRefusedParentGoesLastForDownSecondsThenComesBack() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443, l4c.plant.local", "parent.downSeconds = 30");
        s.failed(A, "Connection refused");
        assertEquals(List.of(B, C, A), s.candidates());
        ParentStatus a = s.status().get(0);
        assertFalse(a.up());
        assertEquals("Connection refused", a.why());
        assertEquals(1, a.attempts());
        assertEquals(1, a.failures());
        now.addAndGet(29_999);
        assertEquals(List.of(B, C, A), s.candidates());
        now.addAndGet(1);
        assertEquals(List.of(A, B, C), s.candidates(), "the passive mark has run out");
        assertTrue(s.status().get(0).up());
    }

    @Test
    void everyParentDownStillGivesAllInOrder() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443");
        s.failed(B, "timed out");
        s.failed(A, "refused");
        assertEquals(List.of(A, B), s.candidates());
    }

    @Test
    void aSuccessfulConnectionBringsAParentBackAtOnce() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443");
        s.failed(A, "refused");
        s.succeeded(A);
        assertEquals(List.of(A, B), s.candidates());
        ParentStatus a = s.status().get(0);
        assertTrue(a.up());
        assertNull(a.why());
        assertEquals(2, a.attempts());
        assertEquals(1, a.failures());
    }

    @Test
    void activeChecksMarkDownUntilAProbeSucceeds() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443");
        Set<HostPort> dead = new HashSet<>(Set.of(A));
        ParentSet.Probe probe = p -> dead.contains(p) ? "refused" : null;
        s.check(probe);
        assertEquals(List.of(B, A), s.candidates());
        now.addAndGet(3_600_000); // no expiry after a failed check: only a probe or a connection ends it
        assertEquals(List.of(B, A), s.candidates());
        assertEquals(3_600_000, s.status().get(0).forMillis());
        dead.clear();
        s.check(probe);
        assertEquals(List.of(A, B), s.candidates());
        assertEquals(0, s.status().get(0).forMillis());
    }

    @Test
    void aPassiveMarkEndsEarlyWhenTheCheckReachesTheParent() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443", "parent.downSeconds = 600");
        s.failed(A, "refused");
        now.addAndGet(5_000);
        s.check(p -> null);
        assertEquals(List.of(A, B), s.candidates());
    }

    @Test
    void aThrowingProbeCountsAsDown() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443");
        s.check(p -> {
            throw new IllegalStateException("boom");
        });
        assertFalse(s.status().get(0).up());
        assertTrue(s.status().get(0).why().contains("boom"));
    }

    @Test
    void roundRobinRotatesOverTheParentsThatAreUp() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443, l4c.plant.local", "parent.balance = round-robin");
        assertEquals(List.of(A, B, C), s.candidates());
        assertEquals(List.of(B, C, A), s.candidates());
        assertEquals(List.of(C, A, B), s.candidates());
        assertEquals(List.of(A, B, C), s.candidates());
        s.failed(B, "refused");
        List<HostPort> firsts = List.of(s.candidates().get(0), s.candidates().get(0), s.candidates().get(0),
                s.candidates().get(0));
        assertFalse(firsts.contains(B), firsts.toString());
        assertTrue(firsts.contains(A) && firsts.contains(C), firsts.toString());
        assertEquals(B, s.candidates().get(2), "the parent marked down is tried last");
    }

    @Test
    void reloadKeepsTheHealthOfParentsStillListed() {
        ParentSet s = set("parent = 10.4.0.10, 10.4.0.11:8443");
        s.failed(A, "refused");
        s.apply(Configs.load(dir, "parent = l4c.plant.local, 10.4.0.10"));
        assertEquals(List.of(C, A), s.candidates());
        assertEquals(1, s.status().get(1).failures());
        s.failed(B, "gone"); // a connection that started before the reload: ignored
        assertEquals(2, s.status().size());
    }

    @Test
    void topLevelHasNone() {
        ParentSet s = set();
        assertTrue(s.isEmpty());
        assertEquals(List.of(), s.candidates());
    }
}
