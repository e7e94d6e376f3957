package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import lnm.audit.AuditRecord;
import lnm.config.Decision;
import lnm.config.Destination;
import lnm.config.HostPort;
import lnm.config.Rule;
import lnm.config.Via;
import lnm.tls.ClientHello;

class CoreAuditTest {
    private static final Rule RULE = new Rule("bench.example", new Destination.Direct(), Path.of("allow.properties"), 1);

    private static AuditRecord audited(String sni) {
        AuditRecord rec = new AuditRecord("https", 4, new InetSocketAddress("10.2.0.7", 50000));
        ClientHello hello = new ClientHello(sni, List.of("h2", "http/1.1"), "TLSv1.3", false);
        Decision d = Decision.allow(RULE, Via.DIRECT, new HostPort(sni, 443));
        CoreAudit.seen(rec, new Front.Seen(hello, null, d));
        return rec;
    }

    @Test
    void anSniEqualToItsRuleIsKeptAsTheRulesOwnString() {
        AuditRecord rec = audited(new String("bench.example")); // a fresh copy, as the parser makes
        assertSame(RULE.pattern(), rec.sni(), "the record holds the rule's string, not its own copy");
        assertEquals("bench.example", rec.rule());
    }

    @Test
    void anSniThatDiffersFromItsRuleKeepsItsOwnSpelling() {
        String sent = new String("Bench.Example");
        AuditRecord rec = audited(sent);
        assertSame(sent, rec.sni(), "the audit shows the name as the client sent it");
        assertNotSame(RULE.pattern(), rec.sni());
    }
}
