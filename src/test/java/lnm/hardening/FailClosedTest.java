package lnm.hardening;

import static lnm.hardening.HelloBuilder.cat;
import static lnm.hardening.HelloBuilder.entry;
import static lnm.hardening.HelloBuilder.sni;
import static lnm.hardening.HelloBuilder.sniEntries;
import static lnm.hardening.HelloBuilder.sniRaw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.TcpServer;

/**
 * Fail closed on anything ambiguous in the hello, end to end: every hello below names an
 * allowlisted host somewhere, so a proxy that read it one way while the server might read it
 * another would let it through. Each must be refused with its reason and an alert, and the
 * upstream must never see a connection. Normal forms of a good name (case, one trailing
 * dot, a hello cut into many records) must still be allowed: the controls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailClosedTest {
    static final int DECODE_ERROR = 50;
    static final int UNRECOGNIZED_NAME = 112;

    @TempDir
    Path dir;

    static byte[] hello(HelloBuilder.Ext... exts) {
        HelloBuilder b = new HelloBuilder();
        for (HelloBuilder.Ext e : exts) {
            b.ext(e);
        }
        return b.build();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    record Case(byte[] bytes, String reason, int alert) {}

    @Test
    void ambiguousHellosAreRefusedAndNeverReachTheUpstream() throws Exception {
        Map<String, Case> cases = new LinkedHashMap<>();
        String malformed = "malformed_hello";
        String invalid = "invalid_sni";
        cases.put("two server_name extensions, different names", new Case(hello(sni("a.example"), sni("b.example")), malformed, DECODE_ERROR));
        cases.put("two identical server_name extensions", new Case(hello(sni("a.example"), HelloBuilder.alpn("h2"), sni("a.example")), malformed, DECODE_ERROR));
        cases.put("two ALPN extensions", new Case(hello(sni("a.example"), HelloBuilder.alpn("h2"), HelloBuilder.alpn("mqtt")), malformed, DECODE_ERROR));
        cases.put("two host names in one list", new Case(hello(sniEntries(entry(0, ascii("a.example")), entry(0, ascii("b.example")))), malformed, DECODE_ERROR));
        cases.put("two host names, same name", new Case(hello(sniEntries(entry(0, ascii("a.example")), entry(0, ascii("a.example")))), malformed, DECODE_ERROR));
        cases.put("empty server_name list", new Case(hello(sniEntries()), malformed, DECODE_ERROR));
        cases.put("empty host name", new Case(hello(sniRaw(new byte[0])), malformed, DECODE_ERROR));
        cases.put("non-ASCII label", new Case(hello(sniRaw(ascii("caf\u00e9.a.example"))), invalid, UNRECOGNIZED_NAME));
        cases.put("UTF-8 lookalike", new Case(hello(sniRaw("\u0430.example".getBytes(StandardCharsets.UTF_8))), invalid, UNRECOGNIZED_NAME));
        cases.put("NUL inside the name", new Case(hello(sniRaw(ascii("a.example\u0000.evil.example"))), invalid, UNRECOGNIZED_NAME));
        cases.put("NUL at the end", new Case(hello(sniRaw(ascii("a.example\u0000"))), invalid, UNRECOGNIZED_NAME));
        cases.put("empty label", new Case(hello(sni("x..a.example")), invalid, UNRECOGNIZED_NAME));
        cases.put("leading hyphen", new Case(hello(sni("-x.a.example")), invalid, UNRECOGNIZED_NAME));
        cases.put("two trailing dots", new Case(hello(sni("a.example..")), invalid, UNRECOGNIZED_NAME));
        cases.put("space", new Case(hello(sni("x .a.example")), invalid, UNRECOGNIZED_NAME));
        cases.put("wildcard", new Case(hello(sni("*.a.example")), invalid, UNRECOGNIZED_NAME));
        cases.put("label of 64", new Case(hello(sni("x".repeat(64) + ".a.example")), invalid, UNRECOGNIZED_NAME));
        cases.put("port in the name", new Case(hello(sni("a.example:443")), invalid, UNRECOGNIZED_NAME));
        cases.put("IPv4 literal", new Case(hello(sni("127.0.0.1")), invalid, UNRECOGNIZED_NAME));
        cases.put("metadata IPv4 literal", new Case(hello(sni("169.254.169.254")), invalid, UNRECOGNIZED_NAME));
        cases.put("IPv4 shorthand", new Case(hello(sni("127.1")), invalid, UNRECOGNIZED_NAME));
        cases.put("IPv4 as one number", new Case(hello(sni("2130706433")), invalid, UNRECOGNIZED_NAME));
        cases.put("IPv6 literal", new Case(hello(sni("::1")), invalid, UNRECOGNIZED_NAME));
        cases.put("bracketed IPv6 literal", new Case(hello(sni("[::1]")), invalid, UNRECOGNIZED_NAME));
        byte[] good = hello(sni("a.example"));
        cases.put("alert record first", new Case(cat(new byte[] {21, 3, 1, 0, 2, 1, 0}, good), malformed, DECODE_ERROR));
        cases.put("application data first", new Case(cat(new byte[] {23, 3, 3, 0, 1, 0}, good), malformed, DECODE_ERROR));
        cases.put("change_cipher_spec first", new Case(cat(new byte[] {20, 3, 3, 0, 1, 1}, good), malformed, DECODE_ERROR));
        byte[] message = java.util.Arrays.copyOfRange(good, 5, good.length);
        byte[] split = HelloBuilder.frame(message, 20, message.length); // two records: 20 bytes, the rest
        byte[] secondNotHandshake = split.clone();
        secondNotHandshake[5 + 20] = 23; // the second record's content type
        cases.put("second record is not a handshake", new Case(secondNotHandshake, malformed, DECODE_ERROR));
        cases.put("zero-length record before the hello", new Case(cat(new byte[] {22, 3, 1, 0, 0}, good), malformed, DECODE_ERROR));
        byte[] zeroInside = cat(java.util.Arrays.copyOf(split, 25), new byte[] {22, 3, 1, 0, 0}, java.util.Arrays.copyOfRange(split, 25, split.length));
        cases.put("zero-length record inside the hello", new Case(zeroInside, malformed, DECODE_ERROR));
        cases.put("record runs past the hello", new Case(cat(java.util.Arrays.copyOf(good, 3), new byte[] {(byte) ((good.length - 5 + 8) >> 8), (byte) (good.length - 5 + 8)},
                java.util.Arrays.copyOfRange(good, 5, good.length), new byte[8]), malformed, DECODE_ERROR));
        cases.put("plain HTTP", new Case(ascii("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"), malformed, DECODE_ERROR));
        cases.put("HTTP CONNECT", new Case(ascii("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"), malformed, DECODE_ERROR));

        Map<String, byte[]> controls = new LinkedHashMap<>();
        controls.put("upper case and a trailing dot", hello(sni("A.Example.")));
        int[] ones = new int[message.length];
        java.util.Arrays.fill(ones, 1);
        controls.put("hello in 1-byte records", HelloBuilder.frame(message, ones));
        controls.put("unknown name type beside the host name", hello(sniEntries(entry(9, ascii("x")), entry(0, ascii("a.example")))));

        AtomicInteger reached = new AtomicInteger();
        try (TcpServer up = new TcpServer(s -> {
            reached.incrementAndGet();
            s.getOutputStream().write('Y');
            s.getInputStream().readAllBytes();
        });
             Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ntimeouts.helloSeconds = 90\n",
                     "a.example = 127.0.0.1:" + up.port() + "\nb.example = 127.0.0.1:" + up.port()
                             + "\n*.a.example = 127.0.0.1:" + up.port() + "\n")) {
            List<String> order = new ArrayList<>();
            for (Map.Entry<String, Case> e : cases.entrySet()) {
                Client.End end;
                try (Client c = Client.connect(box.address("https")).send(e.getValue().bytes())) {
                    end = c.drain(Duration.ofSeconds(30)); // refused with an alert, not cut by the hello timeout
                }
                assertTrue(end.eof(), e.getKey() + ": " + end);
                assertArrayEquals(Client.alert(e.getValue().alert()), end.bytes(), e.getKey() + ": " + end);
                order.add(e.getKey());
                // Records are written when a connection ends, on whichever loop owns it: wait for
                // this one before the next, so the audit order is the order of the cases.
                box.awaitAudit(order.size(), Duration.ofSeconds(10));
            }
            assertEquals(0, reached.get(), "a refused hello reached the upstream");
            for (Map.Entry<String, byte[]> e : controls.entrySet()) {
                try (Client c = Client.connect(box.address("https")).send(e.getValue())) {
                    assertEquals('Y', c.read(1, Duration.ofSeconds(5))[0], e.getKey());
                }
                order.add(e.getKey());
                box.awaitAudit(order.size(), Duration.ofSeconds(10));
            }
            List<String> records = box.assertAuditComplete(order.size(), Duration.ofSeconds(10));
            for (int i = 0; i < records.size(); i++) {
                String r = records.get(i);
                Case c = cases.get(order.get(i));
                if (c != null) {
                    assertEquals(c.reason(), Box.field(r, "reason"), order.get(i) + ": " + r);
                    assertEquals("deny", Box.field(r, "decision"), order.get(i) + ": " + r);
                } else {
                    assertEquals("allow", Box.field(r, "decision"), order.get(i) + ": " + r);
                    assertEquals("a.example", Box.field(r, "sni"), order.get(i) + ": " + r);
                }
            }
            System.out.println("fail-closed: " + cases.size() + " ambiguous hellos refused, " + controls.size() + " controls allowed");
        }
    }
}
