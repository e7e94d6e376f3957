package lnmbench;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lnm.tls.ClientHelloParser;
import lnm.wire.ParseResult;

/**
 * Micro-benchmark of {@code lnm.tls.ClientHelloParser.parse}, without JMH: hellos per second
 * on one thread and bytes allocated per parse ({@code com.sun.management.ThreadMXBean}), so
 * that a regression in either shows in `make bench`.
 *
 * <p>Cases, all built from the benchmark's real JDK ClientHello:
 * <ul>
 *   <li>{@code one-record heap}: the whole hello in one TLS record, in a heap buffer;
 *   <li>{@code one-record direct}: the same in a direct buffer (what a socket read fills);
 *   <li>{@code two-records}: the handshake message split over two TLS records (reassembly);
 *   <li>{@code partial→NeedMore}: only the first half has arrived (the common first read on a
 *       slow link), so the answer is NeedMore.
 * </ul>
 * Each case: warm-up, then {@code reps} timed runs of about one second; one line per run on
 * stdout as {@code parser TAB case TAB rep TAB hellos_per_s=.. ns_per_parse=.. bytes_per_parse=..}.
 *
 * <p>Usage: {@code HelloParserBench HELLO_FILE [reps]}.
 */
public final class HelloParserBench {
    private static volatile int sink;

    private HelloParserBench() {}

    public static void main(String[] args) throws Exception {
        byte[] hello = Files.readAllBytes(Path.of(args[0]));
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("one-record heap", ByteBuffer.wrap(hello).asReadOnlyBuffer(), true));
        ByteBuffer direct = ByteBuffer.allocateDirect(hello.length);
        direct.put(hello).flip();
        cases.add(new Case("one-record direct", direct, true));
        cases.add(new Case("two-records", ByteBuffer.wrap(splitInTwoRecords(hello)).asReadOnlyBuffer(), true));
        cases.add(new Case("partial→NeedMore", ByteBuffer.wrap(hello, 0, hello.length / 2).slice().asReadOnlyBuffer(),
                false));

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        long tid = Thread.currentThread().getId();
        for (Case c : cases) {
            c.check();
            run(c, 2_000_000_000L);   // warm-up: two seconds per case, so the timed runs see compiled code
        }
        for (Case c : cases) {
            for (int rep = 1; rep <= reps; rep++) {
                long a0 = threads.getThreadAllocatedBytes(tid);
                long t0 = System.nanoTime();
                long n = run(c, 1_000_000_000L);
                long t1 = System.nanoTime();
                long a1 = threads.getThreadAllocatedBytes(tid);
                double secs = (t1 - t0) / 1e9;
                System.out.printf(java.util.Locale.ROOT,
                        "parser\t%s\t%d\thellos_per_s=%.0f ns_per_parse=%.1f bytes_per_parse=%.1f parses=%d%n",
                        c.name, rep, n / secs, (t1 - t0) / (double) n, (a1 - a0) / (double) n, n);
            }
        }
    }

    /** Parses in batches until {@code nanos} have passed; returns the number of parses. */
    private static long run(Case c, long nanos) {
        long n = 0;
        long end = System.nanoTime() + nanos;
        int acc = 0;
        do {
            for (int i = 0; i < 1000; i++) {
                ParseResult<?> r = ClientHelloParser.parse(c.buf, ClientHelloParser.DEFAULT_MAX_HELLO);
                acc += r.hashCode() & 1;
            }
            n += 1000;
        } while (System.nanoTime() < end);
        sink = acc;
        return n;
    }

    /** The same handshake message, carried by two TLS records instead of one. */
    static byte[] splitInTwoRecords(byte[] hello) {
        int len = ((hello[3] & 0xff) << 8) | (hello[4] & 0xff);
        int first = len / 2;
        int second = len - first;
        byte[] out = new byte[hello.length + 5];
        System.arraycopy(hello, 0, out, 0, 3);
        out[3] = (byte) (first >> 8);
        out[4] = (byte) first;
        System.arraycopy(hello, 5, out, 5, first);
        int p = 5 + first;
        System.arraycopy(hello, 0, out, p, 3);
        out[p + 3] = (byte) (second >> 8);
        out[p + 4] = (byte) second;
        System.arraycopy(hello, 5 + first, out, p + 5, second);
        return out;
    }

    private static final class Case {
        final String name;
        final ByteBuffer buf;
        final boolean complete;

        Case(String name, ByteBuffer buf, boolean complete) {
            this.name = name;
            this.buf = buf;
            this.complete = complete;
        }

        /** The benchmark measures the right thing: a complete hello parses, with its SNI. */
        void check() {
            ParseResult<?> r = ClientHelloParser.parse(buf, ClientHelloParser.DEFAULT_MAX_HELLO);
            if (complete) {
                if (!(r instanceof ParseResult.Parsed<?> p) || !String.valueOf(p.value()).contains("bench.example")) {
                    throw new IllegalStateException(name + ": expected a parsed hello with SNI bench.example, got " + r);
                }
            } else if (!(r instanceof ParseResult.NeedMore<?>)) {
                throw new IllegalStateException(name + ": expected NeedMore, got " + r);
            }
        }
    }
}
