package lnm.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.tls.ClientHello;
import lnm.tls.ClientHelloParser;
import lnm.wire.ParseResult;

/**
 * encrypted_client_hello (0xfe0d): the parser notes it, the audit says
 * {@code "ech":true}, the decision is on the outer name, and {@code tls.ech = deny} refuses it
 * with reason {@code ech}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EchTest {
    static final int EXT_ECH = 0xfe0d;
    static final int ACCESS_DENIED = 49;

    @TempDir
    Path dir;

    /** An outer ECHClientHello: type 0, HKDF-SHA256 / AES-128-GCM, config_id, enc (32 bytes), payload. */
    static byte[] outerEch() {
        return HelloBuilder.cat(new byte[] {0}, HelloBuilder.u16s(1, 1), new byte[] {7},
                HelloBuilder.vec2(new byte[32]), HelloBuilder.vec2(new byte[200]));
    }

    static byte[] helloWithEch(String outerName, byte[] ech) {
        return new HelloBuilder().ext(HelloBuilder.sni(outerName)).ext(EXT_ECH, ech).build();
    }

    static ParseResult<ClientHello> parse(byte[] hello) {
        return ClientHelloParser.parse(ByteBuffer.wrap(hello), 65_536);
    }

    @Test
    void theParserNotesEchAndChecksItsFraming() {
        ClientHello outer = ((ParseResult.Parsed<ClientHello>) parse(helloWithEch("public.example", outerEch()))).value();
        assertTrue(outer.ech());
        assertEquals("public.example", outer.sni(), "the outer name is the one decided on");
        ClientHello inner = ((ParseResult.Parsed<ClientHello>) parse(helloWithEch("public.example", new byte[] {1}))).value();
        assertTrue(inner.ech(), "an inner-type marker is noted too");
        ClientHello plain = ((ParseResult.Parsed<ClientHello>) parse(new HelloBuilder().ext(HelloBuilder.sni("a.example")).build())).value();
        assertFalse(plain.ech());

        ClientHello empty = ((ParseResult.Parsed<ClientHello>) parse(helloWithEch("public.example", new byte[0]))).value();
        assertTrue(empty.ech(), "its content is not judged: a server without ECH ignores it whole");
    }

    @Test
    void allowedByDefaultAndAuditedAsEch() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ndirect.allowSpecialAddresses = any\n",
                        "public.example = 127.0.0.1:" + upstream.getLocalPort() + "\n")) {
            upstream.setSoTimeout(30_000);
            byte[] hello = helloWithEch("public.example", outerEch());
            try (Client c = Client.connect(box.address("https")).send(hello); Socket up = upstream.accept()) {
                up.setSoTimeout(30_000);
                assertArrayEquals(hello, up.getInputStream().readNBytes(hello.length));
            }
            String r = box.assertAuditComplete(1, Duration.ofSeconds(30)).get(0);
            assertEquals("allow", Box.field(r, "decision"), r);
            assertEquals("true", Box.field(r, "ech"), r);
            assertEquals("public.example", Box.field(r, "sni"), r);
        }
    }

    @Test
    void denyRefusesItWithReasonEchAndStillDecidesOnTheOuterName() throws Exception {
        try (Box box = Box.start(dir, "listen.https = 127.0.0.1:0\ntls.ech = deny\n", "public.example = 127.0.0.1:9\n")) {
            Client.End end;
            try (Client c = Client.connect(box.address("https")).send(helloWithEch("public.example", outerEch()))) {
                end = c.drain(Duration.ofSeconds(30));
            }
            assertArrayEquals(Client.alert(ACCESS_DENIED), end.bytes());
            try (Client c = Client.connect(box.address("https")).send(helloWithEch("other.example", outerEch()))) {
                end = c.drain(Duration.ofSeconds(30));
            }
            assertArrayEquals(Client.alert(ACCESS_DENIED), end.bytes());
            try (Client c = Client.connect(box.address("https")).send(new HelloBuilder().ext(HelloBuilder.sni("other.example")).build())) {
                c.drain(Duration.ofSeconds(30));
            }
            List<String> r = box.assertAuditComplete(3, Duration.ofSeconds(30));
            String refused = r.stream().filter(l -> "ech".equals(Box.field(l, "reason"))).findFirst().orElseThrow();
            assertEquals("deny", Box.field(refused, "decision"), refused);
            assertEquals("true", Box.field(refused, "ech"), refused);
            assertEquals("public.example", Box.field(refused, "sni"), refused);
            assertEquals("public.example", Box.field(refused, "rule"), "decided on the outer name: " + refused);
            List<String> off = r.stream().filter(l -> "not_allowlisted".equals(Box.field(l, "reason"))).toList();
            assertEquals(2, off.size(), "an outer name off the allowlist is refused as such, ECH or not: " + r);
            assertEquals(1, off.stream().filter(l -> "true".equals(Box.field(l, "ech"))).count(), String.join("\n", off));
            assertEquals(1, off.stream().filter(l -> Box.field(l, "ech") == null).count(), "no ech field without the extension");
        }
    }
}
