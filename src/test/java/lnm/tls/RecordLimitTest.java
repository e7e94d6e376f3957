package lnm.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Invalid;
import org.junit.jupiter.api.Test;

/**
 * The limit on handshake records per ClientHello is the parser's, so a hello cut into too many
 * records gets one answer, whatever the reads that delivered it: the same whether the bytes
 * come in one read, at any split point, or one byte at a time.
 */
class RecordLimitTest {
    private static final int MAX = ClientHelloParser.DEFAULT_MAX_HELLO;
    private static final Invalid<ClientHello> TOO_MANY = new Invalid<>(ClientHelloParser.MALFORMED,
            "ClientHello still incomplete after " + ClientHelloParser.MAX_RECORDS + " records");

    /** A handshake header announcing {@code bodyLength}, then {@code bodyRecords} records of one 0x55 byte each, every byte its own record. */
    private static byte[] oneByteRecords(int bodyLength, int bodyRecords) {
        byte[] message = new byte[4 + bodyRecords];
        message[0] = 1;
        message[1] = (byte) (bodyLength >> 16);
        message[2] = (byte) (bodyLength >> 8);
        message[3] = (byte) bodyLength;
        Arrays.fill(message, 4, message.length, (byte) 0x55);
        return Hellos.frame(message, 1);
    }

    @Test
    void helloInOneByteRecordsGetsOneReasonAtEverySplit() {
        // A 2000-byte body in 2004 one-byte records: complete (and garbage) only past record 2004,
        // so refused at record 256 however much of it one read brings.
        byte[] bytes = oneByteRecords(2000, 2000);
        assertEquals(TOO_MANY, Feed.parse(bytes), "all bytes in one read");
        // every split point: each prefix is what a read may have delivered so far
        assertEquals(TOO_MANY, Feed.everyPrefix(bytes, MAX));
        assertEquals(TOO_MANY, Feed.byteAtATime(bytes, MAX));
    }

    @Test
    void refusedWhenTheLastAllowedRecordIsInNotBefore() {
        byte[] bytes = oneByteRecords(2000, 2000);
        int recordsEnd = ClientHelloParser.MAX_RECORDS * 6;
        assertEquals(ParseResult.needMore(), Feed.prefix(bytes, recordsEnd - 1, MAX));
        assertEquals(TOO_MANY, Feed.prefix(bytes, recordsEnd, MAX));
    }

    @Test
    void helloCompleteInExactlyTheLimitParses() {
        byte[] message = Hellos.message(Hellos.jdkTls12());
        int[] sizes = new int[ClientHelloParser.MAX_RECORDS];
        Arrays.fill(sizes, 1);
        sizes[sizes.length - 1] = message.length - (sizes.length - 1);
        assertTrue(sizes[sizes.length - 1] > 0, "message of " + message.length + " bytes");
        byte[] atLimit = Hellos.frame(message, sizes);
        assertEquals(Hellos.AZURE, RealHelloTest.parseAllWays(atLimit).sni());

        // one record more (the last split in two) is over the limit, at every split point too
        int[] over = Arrays.copyOf(sizes, sizes.length + 1);
        over[sizes.length - 1] = 1;
        over[sizes.length] = sizes[sizes.length - 1] - 1;
        byte[] tooMany = Hellos.frame(message, over);
        assertEquals(TOO_MANY, Feed.everyPrefix(tooMany, MAX));
        assertEquals(TOO_MANY, Feed.byteAtATime(tooMany, MAX));
    }
}
