package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code parent} as a list, {@code parent.balance} and {@code parent.check}. */
class ParentConfigTest {
    private final ConfFs fs = new ConfFs();

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void oneParentStaysValid() {
        Config c = fs.ok("", "listen.https = 443", "parent = 10.4.0.10");
        assertEquals(List.of(new HostPort("10.4.0.10", -1)), c.parents());
        assertEquals(Optional.of(new HostPort("10.4.0.10", -1)), c.parent());
        assertEquals(ParentList.Balance.FAILOVER, c.parentBalance());
        assertEquals("tcp", c.parentCheck().toString());
        assertEquals(5_000, c.parentCheckMillis());
        assertEquals(30_000, c.parentDownMillis());
    }

    @Test
    void severalParentsInOrderWithSettings() {
        Config c = fs.ok("", "listen.https = 443", "parent = 10.4.0.10, l4b.plant.local:8443 ,[fd00::7]:443",
                "parent.balance = round-robin", "parent.check = http:9090/readyz", "parent.checkSeconds = 0.5",
                "parent.downSeconds = 10");
        assertEquals(List.of(new HostPort("10.4.0.10", -1), new HostPort("l4b.plant.local", 8443),
                new HostPort("fd00::7", 443)), c.parents());
        assertEquals(Optional.of(new HostPort("10.4.0.10", -1)), c.parent());
        assertEquals(ParentList.Balance.ROUND_ROBIN, c.parentBalance());
        assertEquals(new ParentList.Check(ParentList.Check.Kind.HTTP, 9090, "/readyz"), c.parentCheck());
        assertEquals(500, c.parentCheckMillis());
        assertEquals(10_000, c.parentDownMillis());
        assertTrue(c.effectiveSettings().contains("parent = 10.4.0.10, l4b.plant.local:8443, [fd00::7]:443"),
                c.effectiveSettings().toString());
    }

    @Test
    void checkSpellings() {
        assertEquals("http:9090/readyz", ParentList.Check.parse("http:9090").toString());
        assertEquals("http:8080/healthz", ParentList.Check.parse("HTTP:8080/healthz").toString());
        assertEquals("tcp:443", ParentList.Check.parse("tcp:443").toString());
        assertEquals(ParentList.Check.Kind.OFF, ParentList.Check.parse("off").kind());
    }

    @Test
    void topLevelHasNoParents() {
        Config c = fs.ok("", "listen.https = 443");
        assertEquals(List.of(), c.parents());
        assertEquals(Optional.empty(), c.parent());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "parent = 10.4.0.10, 10.4.0.10| bad value '10.4.0.10, 10.4.0.10' for 'parent': '10.4.0.10' is listed twice; expected host[:port]",
        "parent = 10.4.0.10,,10.4.0.11| bad value '10.4.0.10,,10.4.0.11' for 'parent': empty entry; expected host[:port]",
        "parent = 10.4.0.10, 10.4.0.11:0| bad value '10.4.0.10, 10.4.0.11:0' for 'parent': port 0 is out of range 1-65535",
        "parent.balance = random| bad value 'random' for 'parent.balance': unknown balance; expected failover",
        "parent.check = icmp| bad value 'icmp' for 'parent.check': unknown check; expected tcp",
        "parent.check = http:| bad value 'http:' for 'parent.check': missing port after ':'",
        "parent.check = http:9090/a b| bad value 'http:9090/a b' for 'parent.check': the path may hold only visible ASCII",
        "parent.checkSeconds = 0| bad value '0' for 'parent.checkSeconds': out of range; expected seconds from 0.1",
        "parent.downSeconds = 1h| bad value '1h' for 'parent.downSeconds': not a number of seconds",
    })
    void badValuesNameKeyAndReason(String line, String message) {
        fs.write("allowlist.properties", "");
        LoadResult r = Config.load(fs.write("lnm.properties", "listen.https = 443\n" + line + "\n"));
        assertTrue(ConfFs.messages(r).stream().anyMatch(m -> m.contains(message)), ConfFs.lines(r));
    }

    @Test
    void seventeenParentsAreTooMany() {
        StringBuilder v = new StringBuilder();
        for (int i = 1; i <= 17; i++) {
            v.append(i > 1 ? ", " : "").append("10.4.0.").append(i);
        }
        fs.write("allowlist.properties", "");
        LoadResult r = Config.load(fs.write("lnm.properties", "listen.https = 443\nparent = " + v + "\n"));
        assertTrue(ConfFs.lines(r).contains("17 parents, at most 16 allowed"), ConfFs.lines(r));
    }
}
