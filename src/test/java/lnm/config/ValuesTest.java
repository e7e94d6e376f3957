package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValuesTest {

    @ParameterizedTest
    @CsvSource({
        "0, 1, 1", "1, 1, 1", "1024, 1, 1024", "1k, 1, 1024", "1KiB, 1, 1024", "1kb, 1, 1000", "1 MB, 1, 1000000",
        "100MiB, 1, 104857600", "1.5KiB, 1, 1536", "2g, 1, 2147483648", "1TiB, 1, 1099511627776", "3 B, 1, 3",
    })
    void sizes(String in, long min, long expected) {
        if (in.equals("0")) {
            assertThrows(IllegalArgumentException.class, () -> Values.size(in, min, Long.MAX_VALUE));
            return;
        }
        assertEquals(expected, Values.size(in, min, Long.MAX_VALUE));
    }

    @Test
    void sizeFormatting() {
        assertEquals("100MiB", Values.formatSize(104857600));
        assertEquals("10000000", Values.formatSize(10_000_000));
        assertEquals("1536", Values.formatSize(1536));
        assertEquals("64KiB", Values.formatSize(65536));
        assertEquals("1TiB", Values.formatSize(1L << 40));
        assertEquals("0", Values.formatSize(0));
    }

    @Test
    void seconds() {
        assertEquals(500, Values.secondsAsMillis("0.5", 1, 1000));
        assertEquals(1000, Values.secondsAsMillis("1", 1, 1000));
        assertEquals(10, Values.secondsAsMillis("0.01", 1, 1000));
        assertThrows(IllegalArgumentException.class, () -> Values.secondsAsMillis("0.0005", 1, 1000));
        assertThrows(IllegalArgumentException.class, () -> Values.secondsAsMillis("1.", 1, 1000));
        assertThrows(IllegalArgumentException.class, () -> Values.secondsAsMillis("NaN", 1, 1000));
        assertEquals("0.5", Values.formatSeconds(500));
        assertEquals("600", Values.formatSeconds(600_000));
        assertEquals("0", Values.formatSeconds(0));
    }

    @Test
    void bindAddressesAreBuiltFromLiteralsWithoutLookups() {
        InetSocketAddress a = Values.bind("443", "0.0.0.0");
        assertFalse(a.isUnresolved());
        assertEquals("0.0.0.0", a.getHostString());
        assertEquals("0.0.0.0:443", Values.formatBind(a));
        assertEquals("[::]:443", Values.formatBind(Values.bind("[::]:443", "0.0.0.0")));
        assertEquals("[fd00::1]:443", Values.formatBind(Values.bind("[FD00:0::1]:443", "0.0.0.0")));
        assertEquals("127.0.0.1:9", Values.formatBind(Values.bind("localhost:9", "0.0.0.0")));
        assertThrows(IllegalArgumentException.class, () -> Values.bind("example.com:443", "0.0.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Values.bind("", "0.0.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Values.bind("[::]443", "0.0.0.0"));
    }

    @Test
    void hostNames() {
        assertEquals("a-b_c.example", Names.hostName("A-B_c.Example."));
        assertThrows(IllegalArgumentException.class, () -> Names.hostName("10.1.2"));
        assertEquals(null, Names.normalize("a.b.."));
        assertEquals("a.b", Names.normalize("a.b"));
    }

    /**
     * The package must never ask DNS: host names stay strings, addresses come from parsed bytes.
     * {@code createUnresolved} asks no DNS either; only {@link InterfaceName} may use it, to carry
     * an interface name where an address could stand.
     */
    @Test
    void noResolverCallsInThePackage() throws IOException {
        Path dir = Path.of("src/main/java/lnm/config");
        assertTrue(Files.isDirectory(dir), "run from the project folder");
        List<String> forbidden = List.of("getByName(", "getAllByName(", "getLocalHost(", "getCanonicalHostName(",
                "getHostName(", "new InetSocketAddress(String", "createUnresolved(");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String src = Files.readString(f);
                for (String s : forbidden) {
                    if (s.equals("createUnresolved(") && f.getFileName().toString().equals("InterfaceName.java")) {
                        continue;
                    }
                    assertFalse(src.contains(s), f + " contains " + s);
                }
            }
        }
    }
}
