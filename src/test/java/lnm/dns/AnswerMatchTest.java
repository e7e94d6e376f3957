package lnm.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import lnm.config.IpLiteral;
import lnm.dns.AnswerMatch.Verdict;
import org.junit.jupiter.api.Test;

/** The rule for taking a datagram as a forwarded query's answer, one wrong part at a time. */
class AnswerMatchTest {
    static final InetSocketAddress UPSTREAM = new InetSocketAddress(IpLiteral.address("10.3.0.53"), 53);
    static final int ID = 0xbeef;
    static final byte[] QUERY = DnsClient.query(ID, "historian.plant.local", DnsCodes.TYPE_A, 0);
    static final DnsMessage ASKED = DnsClient.parse(QUERY);

    static byte[] answer(byte[] query) {
        return DnsWriter.answer(DnsClient.parse(query), 0, false, List.of(IpLiteral.address("10.3.0.20")), 30, 512);
    }

    static AnswerMatch.Result check(byte[] datagram, InetSocketAddress from) {
        return AnswerMatch.check(ByteBuffer.wrap(datagram), from, List.of(UPSTREAM), ID, ASKED.question());
    }

    @Test
    void theRightAnswerFromTheUpstreamIsTaken() {
        AnswerMatch.Result r = check(answer(QUERY), UPSTREAM);
        assertEquals(Verdict.ACCEPT, r.verdict());
        assertNotNull(r.answer());
        assertEquals(ID, r.answer().id());
    }

    @Test
    void anotherSourceAddressIsDropped() {
        AnswerMatch.Result r = check(answer(QUERY), new InetSocketAddress(IpLiteral.address("10.3.0.54"), 53));
        assertEquals(Verdict.WRONG_SOURCE, r.verdict());
        assertNull(r.answer());
    }

    @Test
    void anotherSourcePortOfTheUpstreamIsDropped() {
        assertEquals(Verdict.WRONG_SOURCE, check(answer(QUERY), new InetSocketAddress(UPSTREAM.getAddress(), 5353)).verdict());
    }

    @Test
    void anotherIdIsDropped() {
        byte[] a = DnsWriter.withId(answer(QUERY), ID ^ 1);
        assertEquals(Verdict.WRONG_ID, check(a, UPSTREAM).verdict());
    }

    @Test
    void anotherQuestionIsDropped() {
        byte[] otherName = DnsClient.query(ID, "historian.plant.local.evil.example", DnsCodes.TYPE_A, 0);
        assertEquals(Verdict.WRONG_QUESTION, check(answer(otherName), UPSTREAM).verdict());
        byte[] otherType = DnsClient.query(ID, "historian.plant.local", DnsCodes.TYPE_AAAA, 0);
        assertEquals(Verdict.WRONG_QUESTION, check(answer(otherType), UPSTREAM).verdict());
        byte[] otherClass = answer(QUERY);
        int classAt = DnsParser.HEADER + ASKED.question().name().wireLength() + 2;
        otherClass[classAt + 1] = 3; // CH instead of IN
        assertEquals(Verdict.WRONG_QUESTION, check(otherClass, UPSTREAM).verdict());
    }

    @Test
    void theNameIsComparedWithoutRegardToCase() {
        byte[] upper = DnsClient.query(ID, "HISTORIAN.Plant.Local", DnsCodes.TYPE_A, 0);
        assertEquals(Verdict.ACCEPT, check(answer(upper), UPSTREAM).verdict());
    }

    @Test
    void aQueryOrGarbageIsDropped() {
        assertEquals(Verdict.NOT_RESPONSE, check(QUERY, UPSTREAM).verdict(), "the query echoed back");
        assertEquals(Verdict.MALFORMED, check(new byte[] {(byte) 0xbe, (byte) 0xef, (byte) 0x80}, UPSTREAM).verdict());
        byte[] cut = java.util.Arrays.copyOf(answer(QUERY), DnsParser.HEADER + 3);
        assertEquals(Verdict.MALFORMED, check(cut, UPSTREAM).verdict());
    }

    @Test
    void anyUpstreamTheQueryWentToMayAnswerAndAMappedAddressIsTheSameSource() throws Exception {
        InetSocketAddress second = new InetSocketAddress(IpLiteral.address("10.3.0.54"), 53);
        List<InetSocketAddress> both = List.of(UPSTREAM, second);
        assertEquals(Verdict.ACCEPT,
                AnswerMatch.check(ByteBuffer.wrap(answer(QUERY)), second, both, ID, ASKED.question()).verdict());
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(UPSTREAM.getAddress().getAddress(), 0, mapped, 12, 4);
        InetSocketAddress asDualStackSees = new InetSocketAddress(InetAddress.getByAddress(mapped), 53);
        assertEquals(Verdict.ACCEPT, check(answer(QUERY), asDualStackSees).verdict());
    }

    @Test
    void theDatagramIsNotConsumed() {
        ByteBuffer b = ByteBuffer.wrap(answer(QUERY));
        AnswerMatch.check(b, UPSTREAM, List.of(UPSTREAM), ID, ASKED.question());
        assertEquals(0, b.position());
    }
}
