package lnm.dns;

import lnm.config.Allowlist;
import lnm.config.Destination;
import lnm.config.ForwardZones;
import lnm.config.IpLiteral;
import lnm.config.Rule;
import lnm.testing.Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each query gets, by policy. */
class ResponderTest {
    static final Allowlist ALLOW = Allowlist.of(List.of(
            new Rule("management.azure.com", new Destination.Direct(), Path.of("allowlist.properties"), 1),
            new Rule("*.his.arc.azure.com", new Destination.Direct(), Path.of("allowlist.properties"), 2)));
    static final InetAddress LOCAL4 = IpLiteral.address("10.3.0.5");
    static final InetAddress LOCAL6 = IpLiteral.address("fd00:3::5");
    static final Responder.Local LOCAL = new Responder.Local(List.of(LOCAL4), List.of(LOCAL6));
    static final Responder.Policy OWN = new Responder.Policy(ALLOW, List.of(), List.of(), 60, ForwardZones.NONE);

    static Responder.Outcome ask(Responder.Policy p, String name, int type) {
        byte[] q = DnsWriter.query(7, DnsName.of(name), type, 1232);
        return Responder.decide(DnsParserTest.parsed(q), p, LOCAL, 1232);
    }

    static DnsMessage answer(Responder.Outcome o) {
        return DnsParserTest.parsed(o.response());
    }

    @Test
    void allowlistedNameGetsThisBoxsAddressOfTheFamilyAsked() {
        Responder.Outcome a = ask(OWN, "management.azure.com", DnsCodes.TYPE_A);
        assertEquals(DnsResult.ANSWERED, a.result());
        assertEquals(List.of(LOCAL4), a.answers());
        assertEquals("management.azure.com", a.rule());
        DnsMessage m = answer(a);
        assertTrue((m.flags() & DnsMessage.AA) != 0, "authoritative");
        assertEquals(0, m.rcode());
        assertEquals(60, m.answers().get(0).ttl());

        Responder.Outcome aaaa = ask(OWN, "Deep.Below.His.Arc.Azure.Com.", DnsCodes.TYPE_AAAA);
        assertEquals(List.of(LOCAL6), aaaa.answers());
        assertEquals("*.his.arc.azure.com", aaaa.rule());
        assertEquals(DnsCodes.TYPE_AAAA, answer(aaaa).answers().get(0).type());
    }

    @Test
    void noAddressOfThatFamilyIsAnEmptyNoerror() {
        Responder.Outcome o = Responder.decide(DnsParserTest.parsed(DnsWriter.query(1, DnsName.of("management.azure.com"),
                DnsCodes.TYPE_AAAA, 0)), OWN, new Responder.Local(List.of(LOCAL4), List.of()), 512);
        assertEquals(DnsResult.ANSWERED, o.result());
        assertTrue(o.answers().isEmpty());
        DnsMessage m = answer(o);
        assertEquals(0, m.rcode());
        assertTrue(m.answers().isEmpty() && m.authority().isEmpty(), "no SOA either");
    }

    @Test
    void otherTypesForAllowlistedNamesAreEmptyNoerror() {
        for (int type : new int[] {DnsCodes.TYPE_MX, DnsCodes.TYPE_TXT, DnsCodes.TYPE_HTTPS, DnsCodes.TYPE_ANY, DnsCodes.TYPE_CNAME}) {
            Responder.Outcome o = ask(OWN, "management.azure.com", type);
            assertEquals(DnsResult.ANSWERED, o.result(), DnsCodes.typeName(type));
            assertTrue(answer(o).answers().isEmpty(), DnsCodes.typeName(type));
        }
    }

    @Test
    void fixedAnswersReplaceTheBoxsAddresses() {
        InetAddress v4a = IpLiteral.address("10.4.0.10");
        InetAddress v4b = IpLiteral.address("10.4.0.11");
        Responder.Policy fixed = new Responder.Policy(ALLOW, List.of(v4a, v4b), List.of(), 300, ForwardZones.NONE);
        Responder.Outcome a = ask(fixed, "management.azure.com", DnsCodes.TYPE_A);
        assertEquals(List.of(v4a, v4b), a.answers());
        assertEquals(300, answer(a).answers().get(1).ttl());
        // dns.answer has no IPv6 address: AAAA is empty even though the interface has one.
        assertTrue(ask(fixed, "management.azure.com", DnsCodes.TYPE_AAAA).answers().isEmpty());
    }

    @Test
    void namesNotOnTheAllowlistAreRefused() {
        for (String name : new String[] {"example.org", "his.arc.azure.com", "badmanagement.azure.com", "azure.com", "."}) {
            Responder.Outcome o = ask(OWN, name, DnsCodes.TYPE_A);
            assertEquals(DnsResult.REFUSED, o.result(), name);
            assertEquals(DnsCodes.REFUSED, answer(o).rcode(), name);
            assertTrue((answer(o).flags() & DnsMessage.AA) == 0, name);
        }
    }

    @Test
    void onlyNamesInTheForwardZonesAreForwarded() {
        Responder.Policy zones = new Responder.Policy(ALLOW, List.of(), List.of(), 60,
                ForwardZones.parse("plant.local, corp.example"));
        for (String name : new String[] {"plant.local", "historian.plant.local", "A.B.Corp.Example.", "corp.example"}) {
            Responder.Outcome f = ask(zones, name, DnsCodes.TYPE_TXT);
            assertEquals(DnsResult.FORWARDED, f.result(), name);
            assertNull(f.response(), name);
        }
        for (String name : new String[] {"aGVsbG8.exfil.attacker.example", "otherplant.local", "local", "example",
                "plant.local.attacker.example", "."}) {
            Responder.Outcome o = ask(zones, name, DnsCodes.TYPE_TXT);
            assertEquals(DnsResult.REFUSED, o.result(), name);
            assertEquals(DnsCodes.REFUSED, answer(o).rcode(), name);
        }
        assertEquals(DnsResult.ANSWERED, ask(zones, "management.azure.com", DnsCodes.TYPE_A).result(),
                "the allowlist still answers first");
    }

    @Test
    void escapedNamesNeverMatch() {
        // "management\.azure.com" is one odd label, not the allowlisted name.
        byte[] q = Hex.parse("0001 0000 0001 0000 0000 0000 10 'management.azure' 03 'com' 00 0001 0001");
        assertEquals(DnsResult.REFUSED, Responder.decide(DnsParserTest.parsed(q), OWN, LOCAL, 512).result());
    }

    @Test
    void onlyClassInIsAnswered() {
        byte[] chaos = Hex.parse("0001 0000 0001 0000 0000 0000 0a 'management' 05 'azure' 03 'com' 00 0001 0003");
        assertEquals(DnsResult.REFUSED, Responder.decide(DnsParserTest.parsed(chaos), OWN, LOCAL, 512).result());
    }

    @Test
    void unsupportedAndMalformedQueries() {
        byte[] status = Hex.parse("0001 1000 0001 0000 0000 0000 01 'a' 00 0001 0001");
        Responder.Outcome o = Responder.decide(DnsParserTest.parsed(status), OWN, LOCAL, 512);
        assertEquals(DnsResult.UNSUPPORTED, o.result());
        assertEquals(DnsCodes.NOTIMP, answer(o).rcode());
        assertEquals(2, answer(o).opcode());

        byte[] noQuestion = Hex.parse("0001 0100 0000 0000 0000 0000");
        o = Responder.decide(DnsParserTest.parsed(noQuestion), OWN, LOCAL, 512);
        assertEquals(DnsResult.MALFORMED, o.result());
        assertEquals(DnsCodes.FORMERR, answer(o).rcode());

        byte[] two = Hex.parse("0001 0100 0002 0000 0000 0000 01 'a' 00 0001 0001 01 'b' 00 0001 0001");
        o = Responder.decide(DnsParserTest.parsed(two), OWN, LOCAL, 512);
        assertEquals(DnsCodes.FORMERR, answer(o).rcode());
        assertTrue(answer(o).questions().isEmpty());

        byte[] edns1 = Hex.parse("0001 0100 0001 0000 0000 0001 0a 'management' 05 'azure' 03 'com' 00 0001 0001 "
                + "00 0029 0200 00010000 0000");
        o = Responder.decide(DnsParserTest.parsed(edns1), OWN, LOCAL, 512);
        assertEquals(DnsResult.UNSUPPORTED, o.result());
        assertEquals(DnsCodes.BADVERS, answer(o).rcode());
    }

    @Test
    void tooLargeForTheClientIsTruncated() {
        List<InetAddress> many = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            many.add(IpLiteral.address("10.9.0." + i));
        }
        Responder.Policy fixed = new Responder.Policy(ALLOW, many, List.of(), 60, ForwardZones.NONE);
        DnsMessage q = DnsParserTest.parsed(DnsWriter.query(1, DnsName.of("management.azure.com"), DnsCodes.TYPE_A, 0));
        Responder.Outcome small = Responder.decide(q, fixed, LOCAL, 512);
        assertTrue(small.truncated());
        assertTrue(answer(small).truncated());
        assertTrue(small.answers().isEmpty());
        Responder.Outcome tcp = Responder.decide(q, fixed, LOCAL, 65535);
        assertEquals(40, answer(tcp).answers().size());
    }

    @Test
    void inReportModeANameOffTheListIsAnsweredButNeverForwarded() {
        Responder.Policy report = new Responder.Policy(ALLOW, List.of(), List.of(), 60, ForwardZones.parse("plant.local"), true);
        Responder.Outcome a = ask(report, "unlisted.example.com", DnsCodes.TYPE_A);
        assertEquals(DnsResult.ANSWERED, a.result());
        assertEquals(List.of(LOCAL4), a.answers());
        assertNull(a.rule());
        assertEquals(DnsResult.FORWARDED, ask(report, "historian.plant.local", DnsCodes.TYPE_A).result(), "the zones still go upstream");
        assertEquals("management.azure.com", ask(report, "management.azure.com", DnsCodes.TYPE_A).rule());
        assertEquals(DnsResult.REFUSED, ask(OWN, "unlisted.example.com", DnsCodes.TYPE_A).result(), "enforcing refuses it");
    }
}
