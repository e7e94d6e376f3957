package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import lnm.audit.AuditRecord;
import lnm.audit.Reason;

/** The per-source rate limit on new connections and how its refusals are audited, on a clock the test turns. */
class RateLimitTest {
    static final long MS = 1_000_000L;
    final AtomicLong now = new AtomicLong(5_000 * MS);
    final RateLimit limit = new RateLimit(now::get);
    final InetAddress a = InetAddress.getLoopbackAddress();
    final InetAddress b = addr("127.0.0.9");

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static AuditRecord refused(int port) {
        AuditRecord r = new AuditRecord("https", 4, new InetSocketAddress("127.0.0.1", port));
        r.reason(Reason.RATE_LIMITED);
        return r;
    }

    @Test
    void aBurstOfTwiceTheRateThenTheRate() {
        for (int i = 0; i < 20; i++) {
            assertSame(RateLimit.Verdict.PASS, limit.admit(a, 10), "burst, connection " + i);
        }
        assertSame(RateLimit.Verdict.REFUSE, limit.admit(a, 10));
        assertSame(RateLimit.Verdict.PASS, limit.admit(b, 10), "another source has its own bucket");
        now.addAndGet(100 * MS); // one token at 10 a second
        assertSame(RateLimit.Verdict.PASS, limit.admit(a, 10));
        assertSame(RateLimit.Verdict.REFUSE, limit.admit(a, 10));
        now.addAndGet(10_000 * MS); // refilled, never past the burst
        for (int i = 0; i < 20; i++) {
            assertSame(RateLimit.Verdict.PASS, limit.admit(a, 10));
        }
        assertSame(RateLimit.Verdict.REFUSE, limit.admit(a, 10));
    }

    @Test
    void offAdmitsEverythingAndRemembersNothing() {
        for (int i = 0; i < 10_000; i++) {
            assertSame(RateLimit.Verdict.PASS, limit.admit(a, 0));
        }
        assertEquals(0, limit.size());
    }

    @Test
    void pastTheThresholdASecondsRefusalsAreOneRecordThatCountsThem() {
        limit.admit(a, 1);
        limit.admit(a, 1); // the burst of two is spent
        for (int i = 0; i < RateLimit.RECORDED_PER_SECOND; i++) {
            assertSame(RateLimit.Verdict.REFUSE, limit.admit(a, 1), "refusal " + i + " gets its own record");
        }
        AuditRecord first = refused(40000);
        for (int i = 0; i < 500; i++) {
            assertSame(RateLimit.Verdict.COUNT, limit.admit(a, 1));
            limit.count(a, i == 0 ? first : refused(40001 + i));
            now.addAndGet(MS); // 500 refusals in half a second
        }
        assertEquals(List.of(), limit.due(false), "written when the second is over, not before");
        now.addAndGet(500 * MS);
        List<AuditRecord> due = limit.due(false);
        assertEquals(1, due.size());
        assertSame(first, due.get(0), "the first counted refusal's record stands for all of them");
        assertEquals(500, first.count());
        assertTrue(first.toJson(0).contains("\"reason\":\"rate_limited\""), first.toJson(0));
        assertTrue(first.toJson(0).contains("\"count\":500"), first.toJson(0));
        assertEquals(List.of(), limit.due(false), "written once");

        // The next second starts afresh: its first refusals get records of their own again.
        assertSame(RateLimit.Verdict.PASS, limit.admit(a, 1), "a token came back in that second");
        assertSame(RateLimit.Verdict.REFUSE, limit.admit(a, 1), "a new second: its first refusals get records of their own again");
    }

    @Test
    void aNewSecondWritesThePreviousCountEvenBeforeTheTick() {
        limit.admit(a, 1);
        limit.admit(a, 1);
        for (int i = 0; i < RateLimit.RECORDED_PER_SECOND; i++) {
            limit.admit(a, 1);
        }
        assertSame(RateLimit.Verdict.COUNT, limit.admit(a, 1));
        AuditRecord r = refused(1);
        limit.count(a, r);
        now.addAndGet(1_100 * MS); // one token came back
        assertSame(RateLimit.Verdict.PASS, limit.admit(a, 1));
        assertSame(RateLimit.Verdict.REFUSE, limit.admit(a, 1), "a new second: a record of its own");
        assertEquals(List.of(r), limit.due(false));
        assertEquals(1, r.count());
    }

    @Test
    void shutdownWritesWhatIsPending() {
        limit.admit(a, 1);
        limit.admit(a, 1);
        for (int i = 0; i < RateLimit.RECORDED_PER_SECOND; i++) {
            limit.admit(a, 1);
        }
        limit.admit(a, 1);
        AuditRecord r = refused(1);
        limit.count(a, r);
        limit.count(a, refused(2));
        assertEquals(List.of(r), limit.due(true));
        assertEquals(2, r.count());
    }

    @Test
    void aRefusedSourceIsForgottenOnceItsSecondIsOverAndItsBucketFull() {
        limit.admit(a, 1);
        limit.admit(a, 1);
        assertSame(RateLimit.Verdict.REFUSE, limit.admit(a, 1));
        assertEquals(1, limit.windows());
        assertEquals(1, limit.size());
        now.addAndGet(1_000 * MS);
        assertEquals(List.of(), limit.due(false), "nothing was counted: every refusal had its own record");
        assertEquals(0, limit.windows(), "the second is over: its window carries nothing");
        now.addAndGet(2_000 * MS);
        assertSame(RateLimit.Verdict.PASS, limit.admit(b, 1), "another source still gets in");
        assertEquals(2, limit.size(), "a's bucket is swept only when the table is large or full");
    }
}
