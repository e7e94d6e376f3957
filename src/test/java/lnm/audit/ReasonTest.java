package lnm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;

import lnm.config.PolicyReason;
import lnm.http.HttpHeadParser;
import lnm.proxy.ProxyV2;
import lnm.tls.ClientHelloParser;
import lnm.wire.Fault;

class ReasonTest {
    @Test
    void everyParserFaultOfAHeadMapsToTheReasonOfItsText() {
        for (Fault f : Fault.values()) {
            if (f == Fault.MALFORMED_DNS) {
                assertThrows(IllegalArgumentException.class, () -> Reason.of(f), "DNS queries are audited apart");
                continue;
            }
            assertEquals(f.name().toLowerCase(Locale.ROOT), Reason.of(f).text());
        }
        assertSame(Reason.HTTP_MALFORMED, Reason.of(HttpHeadParser.MALFORMED));
        assertSame(Reason.MALFORMED_HELLO, Reason.of(ClientHelloParser.MALFORMED));
        assertSame(Reason.PROXY_PROTOCOL_INVALID, Reason.of(ProxyV2.INVALID));
    }

    @Test
    void everyPolicyReasonMapsToTheReasonOfItsText() {
        for (PolicyReason p : PolicyReason.values()) {
            String text = p == PolicyReason.ALLOWLIST ? "allowlist:" : p.name().toLowerCase(Locale.ROOT);
            assertEquals(text, Reason.of(p).text());
        }
    }

    @Test
    void auditTextsAreUniqueAndUnchanged() {
        Set<String> seen = new HashSet<>();
        for (Reason r : Reason.values()) {
            assertTrue(seen.add(r.text()), r.text());
        }
        // the texts outside tools parse (the audit record's reason values)
        for (String t : new String[] {"not_allowlisted", "no_sni", "source_not_allowed", "hello_timeout", "malformed_hello",
                "hello_too_large", "dns_failed", "upstream_unreachable", "limit", "invalid_sni", "no_hello", "hello_incomplete",
                "proxy_protocol_invalid", "proxy_protocol_untrusted", "client_error", "dns_timeout", "connect_timeout",
                "destination_forbidden", "upstream_reset", "internal_error", "port_not_allowed", "sni_mismatch", "host_changed",
                "http_connect_in_stream"}) {
            assertEquals(t, Reason.valueOf(t.toUpperCase(Locale.ROOT)).text());
        }
    }

    @Test
    void helloFailuresAreTheReasonsWhereTheHeadNeverParsed() {
        assertEquals(Set.of("malformed_hello", "hello_too_large", "invalid_sni", "hello_timeout", "hello_incomplete", "no_hello",
                "proxy_protocol_invalid", "proxy_protocol_untrusted"), Reason.helloFailureTexts());
    }

    @Test
    void httpStatusesAndMessages() {
        assertEquals(403, Reason.NOT_ALLOWLISTED.httpStatus());
        assertEquals("x.example is not on the allowlist", Reason.NOT_ALLOWLISTED.message("x.example", 80, null));
        assertEquals("the request is not on the allowlist", Reason.NOT_ALLOWLISTED.message(null, -1, null));
        assertEquals(502, Reason.UPSTREAM_UNREACHABLE.httpStatus());
        assertEquals("cannot reach h port 8080", Reason.UPSTREAM_UNREACHABLE.message("h", 8080, null));
        assertEquals(400, Reason.HTTP_MALFORMED.httpStatus());
        assertEquals("bad request: bare LF", Reason.HTTP_MALFORMED.message("h", 80, "bare LF"));
        assertEquals("bad request: http_smuggling", Reason.HTTP_SMUGGLING.message("h", 80, null));
        assertEquals(431, Reason.HTTP_HEAD_TOO_LARGE.httpStatus());
        assertEquals(505, Reason.HTTP_VERSION.httpStatus());
        assertEquals(-1, Reason.NO_HELLO.httpStatus(), "the client has gone: nothing is sent");
        assertEquals("h is refused", Reason.NO_SNI.message("h", 443, null));
        assertFalse(Reason.LIMIT.helloFailure());
    }

    @Test
    void sidesKeepTheirAuditText() {
        assertEquals("client", Side.CLIENT.text());
        assertEquals("upstream", Side.UPSTREAM.text());
        assertEquals("idle_timeout", Side.IDLE_TIMEOUT.text());
        assertSame(Side.SHUTDOWN, Side.of("shutdown"));
        assertSame(Side.UPSTREAM, Side.CLIENT.peer());
    }
}
