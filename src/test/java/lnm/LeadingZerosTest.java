package lnm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import lnm.cli.Main;
import lnm.config.Config;
import lnm.config.LoadResult;
import lnm.config.Problem;
import lnm.dns.Resolver;

/**
 * One rule for IPv4 literals everywhere: {@code 010.0.0.1} has a leading zero, which some tools
 * read as octal (8.0.0.1) and others as decimal (10.0.0.1), so lnm refuses it wherever an address
 * is read: in the config (the DNS server's keys included), on the resolver path a destination
 * takes, and on the command line.
 */
class LeadingZerosTest {
    @TempDir
    Path dir;

    private LoadResult load(String line) throws Exception {
        Files.writeString(dir.resolve("lnm.properties"), "listen.https = 127.0.0.1:0\n" + line + "\n");
        Files.writeString(dir.resolve("allowlist.properties"), "example.com\n");
        return Config.load(dir.resolve("lnm.properties"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sources = 010.0.0.1", "sources = 010.0.0.0/8", "dns.answer = 010.0.0.1",
        "dns.upstream = 010.0.0.1", "dns.upstream = 010.0.0.1:53", "dns.listen = 010.0.0.1:53",
        "admin.listen = 010.0.0.1:9090", "parent = 010.0.0.1:3128", "fleet.source = 010.0.0.1", "fleet.sources = 010.0.0.1", "dns.sources = 10.0.0.0/8, 010.0.0.1"})
    void theConfigRefusesIt(String line) throws Exception {
        LoadResult r = load(line);
        assertFalse(r.ok(), line);
        String key = line.substring(0, line.indexOf(' '));
        List<String> problems = r.problems().stream().map(Problem::toString).toList();
        assertTrue(problems.stream().anyMatch(p -> p.contains(key)), problems.toString());
    }

    @Test
    void theSameAddressWithoutTheZeroIsRead() throws Exception {
        assertTrue(load("dns.answer = 10.0.0.1").ok());
        assertTrue(load("dns.upstream = 10.0.0.1").ok());
        assertTrue(load("sources = 10.0.0.1").ok());
    }

    @ParameterizedTest
    @ValueSource(strings = {"010.0.0.1", "10.0.0.01", "1.2.3", "0x0a.0.0.1"})
    void theResolverRefusesItWithoutALookup(String host) throws Exception {
        List<String> looked = new CopyOnWriteArrayList<>();
        try (Resolver r = new Resolver(1, 0, h -> {
            looked.add(h);
            return new InetAddress[] {InetAddress.getByAddress(new byte[] {10, 0, 0, 1})};
        })) {
            CompletableFuture<Resolver.Answer> a = new CompletableFuture<>();
            r.resolve(host, a::complete);
            Resolver.Answer answer = a.get(10, TimeUnit.SECONDS);
            if (host.startsWith("0x")) {
                // not digits and dots: a name like any other, for the lookup to judge
                assertEquals(List.of(host), looked);
                return;
            }
            assertFalse(answer.ok(), host);
            assertEquals(List.of(), answer.addresses());
            assertEquals(List.of(), looked, "never handed to a lookup that might read it as octal");
        }
    }

    @Test
    void theResolverAnswersAStrictLiteralItself() throws Exception {
        try (Resolver r = new Resolver(1, 0, h -> {
            throw new AssertionError("looked up " + h);
        })) {
            CompletableFuture<Resolver.Answer> a = new CompletableFuture<>();
            r.resolve("10.0.0.1", a::complete);
            assertEquals(List.of(InetAddress.getByAddress(new byte[] {10, 0, 0, 1})), a.get(10, TimeUnit.SECONDS).addresses());
        }
    }

    @Test
    void explainRefusesItAsASource() throws Exception {
        load("");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                new String[] {"explain", "--config", dir.resolve("lnm.properties").toString(), "--source", "010.0.0.1", "example.com"});
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, out);
        assertTrue(out.contains("--source needs an IP address, got '010.0.0.1'"), out);
    }
}
