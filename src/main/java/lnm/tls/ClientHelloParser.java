package lnm.tls;

import java.nio.ByteBuffer;
import lnm.wire.BigEndian;
import lnm.wire.Cursor;
import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * Reads the ClientHello from the first bytes of a TLS connection, without decrypting anything.
 *
 * <p>The caller feeds whatever bytes have arrived: while the answer is
 * {@link ParseResult.NeedMore} it reads more and calls again with the grown buffer. The
 * handshake message may be fragmented over several handshake records (RFC 8446 5.1), which are
 * reassembled here; {@link ParseResult.Parsed#consumed()} counts the bytes through the end of
 * the last record used, i.e. exactly the bytes to replay to the upstream before relaying.
 *
 * <p>Faults of {@link ParseResult.Invalid}: {@link #MALFORMED}, {@link #TOO_LARGE} and
 * {@link #INVALID_SNI}. Each is reported as soon as the offending bytes are in, so a client
 * that sends garbage (or plain HTTP) is refused without waiting for a timeout.
 */
public final class ClientHelloParser {
    /** Default limit on the handshake message (without its 4-byte header); PSK tickets make hellos large. */
    public static final int DEFAULT_MAX_HELLO = 65536;

    /** A hello that is not well formed. */
    public static final Fault MALFORMED = Fault.MALFORMED_HELLO;
    /** A hello longer than the limit. */
    public static final Fault TOO_LARGE = Fault.HELLO_TOO_LARGE;
    /** A server name that is not a valid host name. */
    public static final Fault INVALID_SNI = Fault.INVALID_SNI;

    static final int CONTENT_HANDSHAKE = 22;
    static final int HANDSHAKE_CLIENT_HELLO = 1;
    static final int RECORD_HEADER = 5;
    static final int HANDSHAKE_HEADER = 4;
    /** RFC 5246 6.2.3: a record may carry at most 2^14 + 2048 bytes. */
    static final int MAX_RECORD = (1 << 14) + 2048;
    /**
     * A ClientHello still incomplete after this many handshake records is {@link #MALFORMED}.
     * Real clients use one record per 16 KiB (a 1 MiB hello needs 64); the caller feeds every
     * byte buffered so far on each read and this walk visits every record again, so a hello cut
     * into one-byte records would otherwise cost CPU quadratic in its length. Counted here, on
     * the bytes, the refusal is the same however the reads split them.
     */
    public static final int MAX_RECORDS = 256;

    private ClientHelloParser() {}

    /**
     * Parses the ClientHello at the start of {@code in[position, limit)}.
     *
     * <p>Pure: never throws on any input, never changes {@code in}'s position, limit or
     * contents, and works on heap, direct and read-only buffers.
     *
     * @param maxHelloBytes largest handshake message length accepted, as declared in the
     *                      handshake header; larger is {@link #TOO_LARGE} as soon as that
     *                      header is in
     */
    public static ParseResult<ClientHello> parse(ByteBuffer in, int maxHelloBytes) {
        if (in.remaining() == 0) {
            return ParseResult.needMore();
        }
        if (Sslv2Hello.looksLikeSslv2(in.get(in.position()) & 0xff)) {
            return Sslv2Hello.parse(in, maxHelloBytes);
        }
        return parseRecords(in, maxHelloBytes);
    }

    /**
     * Walks the handshake records, checking each header as soon as its bytes are in, until
     * the records hold the whole handshake message. Nothing is copied until it is complete.
     */
    private static ParseResult<ClientHello> parseRecords(ByteBuffer in, int maxHelloBytes) {
        final int start = in.position();
        final int end = in.limit();
        int pos = start;
        int records = 0;
        int collected = 0;   // handshake bytes in the complete records so far
        int header = 0;      // the 4-byte handshake header, gathered across records
        int total = -1;      // header + body length, once the header is in
        while (true) {
            int available = end - pos;
            if (available < 1) {
                return ParseResult.needMore();
            }
            int type = in.get(pos) & 0xff;
            if (type != CONTENT_HANDSHAKE) {
                return malformed(records == 0
                        ? "not a TLS handshake record (first byte 0x" + Integer.toHexString(type) + ")"
                        : "record of content type " + type + " before the ClientHello is complete");
            }
            if (available < 2) {
                return ParseResult.needMore();
            }
            int major = in.get(pos + 1) & 0xff;
            if (major != 3) {
                return malformed("record version major " + major + ", not 3");
            }
            if (available < RECORD_HEADER) {
                return ParseResult.needMore();
            }
            int length = BigEndian.u16(in, pos + 3);
            if (length == 0) {
                // Not skipped: a peer that ignores empty records differently than lnm does
                // could be handed a different hello than the one lnm decided on.
                return malformed("zero-length handshake record");
            }
            if (length > MAX_RECORD) {
                return malformed("record length " + length + " exceeds " + MAX_RECORD);
            }
            int payload = pos + RECORD_HEADER;
            int arrived = Math.min(length, end - payload);
            // Fold in whatever of the handshake header this record holds.
            for (int i = 0; collected + i < HANDSHAKE_HEADER && i < arrived; i++) {
                int b = in.get(payload + i) & 0xff;
                if (collected + i == 0 && b != HANDSHAKE_CLIENT_HELLO) {
                    return malformed("handshake message type " + b + ", not client_hello");
                }
                header = (header << 8) | b;
                if (collected + i == HANDSHAKE_HEADER - 1) {
                    int bodyLength = header & 0xffffff;
                    if (bodyLength > maxHelloBytes) {
                        return ParseResult.invalid(TOO_LARGE,
                                "ClientHello of " + bodyLength + " bytes exceeds " + maxHelloBytes);
                    }
                    total = HANDSHAKE_HEADER + bodyLength;
                }
            }
            // A ClientHello ends on a record boundary (RFC 8446 5.1: it precedes a key change
            // when early data follows), so a record running past it is not a real client.
            if (total >= 0 && collected + length > total) {
                return malformed("handshake record runs " + (collected + length - total)
                        + " bytes past the end of the ClientHello");
            }
            if (arrived < length) {
                return ParseResult.needMore();
            }
            collected += length;
            pos = payload + length;
            records++;
            if (collected == total) {
                return HelloBody.parse(bodyCursor(in, start, records, total), pos - start);
            }
            if (records == MAX_RECORDS) {
                return malformed("ClientHello still incomplete after " + MAX_RECORDS + " records");
            }
        }
    }

    /**
     * A cursor over the ClientHello body. A hello in one record (the usual case) is read in
     * place; a fragmented one is first copied out of its records into one array.
     */
    private static Cursor bodyCursor(ByteBuffer in, int start, int records, int total) {
        if (records == 1) {
            int body = start + RECORD_HEADER + HANDSHAKE_HEADER;
            return new Cursor(in, body, body + total - HANDSHAKE_HEADER);
        }
        byte[] message = new byte[total];
        int filled = 0;
        int pos = start;
        for (int r = 0; r < records; r++) {
            int length = BigEndian.u16(in, pos + 3);
            in.get(pos + RECORD_HEADER, message, filled, length);
            filled += length;
            pos += RECORD_HEADER + length;
        }
        ByteBuffer whole = ByteBuffer.wrap(message);
        return new Cursor(whole, HANDSHAKE_HEADER, total);
    }

    private static ParseResult<ClientHello> malformed(String detail) {
        return ParseResult.invalid(MALFORMED, detail);
    }
}
