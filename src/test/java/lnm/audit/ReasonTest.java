package lnm.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import lnm.config.Decision;
import lnm.http.HttpHeadParser;
import lnm.proxy.ProxyV2;
import lnm.tls.ClientHelloParser;

class ReasonTest {
    @Test
    void everyReasonAParserOrThePolicyReturnsIsListed() {
        for (String t : new String[] {ClientHelloParser.MALFORMED, ClientHelloParser.TOO_LARGE, ClientHelloParser.INVALID_SNI,
                ProxyV2.INVALID, HttpHeadParser.MALFORMED, HttpHeadParser.TOO_LARGE, HttpHeadParser.TOO_MANY_HEADERS,
                HttpHeadParser.VERSION, HttpHeadParser.BAD_HOST, HttpHeadParser.SMUGGLING,
                Decision.SOURCE_NOT_ALLOWED, Decision.NO_SNI, Decision.NOT_ALLOWLISTED}) {
            assertEquals(t, Reason.of(t).text());
        }
        assertEquals(Decision.ALLOWLIST_PREFIX, Reason.ALLOWLIST.text());
        assertThrows(IllegalArgumentException.class, () -> Reason.of("no_such_reason"));
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
            assertSame(Reason.valueOf(t.toUpperCase()), Reason.of(t));
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
