package lnm.tls;

import java.nio.ByteBuffer;
import lnm.wire.BigEndian;
import lnm.wire.Cursor;
import lnm.wire.ParseResult;

/**
 * The SSLv2-compatible ClientHello (RFC 5246 appendix E.2; draft-hickman SSL 2.0), still sent
 * by some very old clients that want to talk to SSLv2 servers too. It has no extensions, so
 * it can never carry an SNI; lnm parses it only to audit the version and deny it as
 * {@code no_sni} instead of calling it garbage.
 *
 * <pre>
 * uint16 msg_length;           high bit set (2-byte header), counts the bytes that follow
 * uint8  msg_type;             1 = client_hello
 * uint16 version;
 * uint16 cipher_spec_length;   a multiple of 3
 * uint16 session_id_length;    0 or 16
 * uint16 challenge_length;     16..32
 * cipher_specs, session_id, challenge
 * </pre>
 */
final class Sslv2Hello {
    private static final int FIXED = 9; // msg_type .. challenge_length

    private Sslv2Hello() {}

    /** True when the first byte announces an SSLv2 2-byte record header. */
    static boolean looksLikeSslv2(int firstByte) {
        return (firstByte & 0x80) != 0;
    }

    static ParseResult<ClientHello> parse(ByteBuffer in, int maxHelloBytes) {
        int start = in.position();
        int available = in.limit() - start;
        if (available < 2) {
            return ParseResult.needMore();
        }
        int length = BigEndian.u16(in, start) & 0x7fff;
        // Judged in byte order, so the answer never depends on how many bytes came at once:
        // what the length says is final as soon as it is in, before the type byte is looked at.
        if (length > maxHelloBytes) {
            return ParseResult.invalid(ClientHelloParser.TOO_LARGE, "SSLv2 hello of " + length + " bytes");
        }
        if (length < FIXED) {
            return ParseResult.invalid(ClientHelloParser.MALFORMED, "SSLv2 hello of " + length + " bytes is too short");
        }
        if (available >= 3 && in.get(start + 2) != 1) {
            return ParseResult.invalid(ClientHelloParser.MALFORMED,
                    "SSLv2 record of message type " + (in.get(start + 2) & 0xff) + ", not client_hello");
        }
        if (available < 2 + length) {
            return ParseResult.needMore();
        }
        Cursor c = new Cursor(in, start + 3, start + 2 + length);
        int version = c.u16();
        int cipherSpecs = c.u16();
        int sessionId = c.u16();
        int challenge = c.u16();
        if (cipherSpecs == 0 || cipherSpecs % 3 != 0 || (sessionId != 0 && sessionId != 16)
                || challenge < 16 || challenge > 32 || FIXED + cipherSpecs + sessionId + challenge != length) {
            return ParseResult.invalid(ClientHelloParser.MALFORMED, "SSLv2 hello lengths do not add up");
        }
        return new ParseResult.Parsed<>(new ClientHello(null, null, TlsVersions.name(version), true), 2 + length);
    }
}
