package lnm.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import lnm.wire.Cursor;
import lnm.wire.ParseResult;
import lnm.wire.ParseResult.Invalid;

/**
 * The body of a ClientHello handshake message (RFC 8446 4.1.2, RFC 5246 7.4.1.2), once the
 * record layer has gathered all of it: fixed fields, then the extensions lnm reads
 * (server_name, ALPN, supported_versions, encrypted_client_hello). Every other extension is only
 * framed and skipped, its type kept for the {@link Ja4} fingerprint (with the cipher suites and
 * the signature algorithms, which are read for that alone and never refuse a hello).
 *
 * <p>Structure is checked strictly, since the proxy decides on what it reads here while the
 * upstream server may read the same bytes differently: every vector must fit its parent
 * exactly, no extension may appear twice, and nothing may follow the extensions.
 */
final class HelloBody {
    static final int EXT_SERVER_NAME = 0;
    static final int EXT_SIGNATURE_ALGORITHMS = 13;
    static final int EXT_ALPN = 16;
    static final int EXT_SUPPORTED_VERSIONS = 43;
    static final int EXT_ECH = 0xfe0d;
    static final int NAME_TYPE_HOST = 0;
    private static final int[] NONE = {};

    private HelloBody() {}

    /** Parses {@code body} completely; {@code consumed} is passed through to the result. */
    static ParseResult<ClientHello> parse(Cursor body, int consumed) {
        int legacyVersion = body.u16();
        body.skip(32); // random
        Cursor sessionId = body.vector(1);
        Cursor cipherSuites = body.vector(2);
        Cursor compression = body.vector(1);
        if (!body.ok()) {
            return malformed("fixed fields overrun the ClientHello body");
        }
        if (legacyVersion >> 8 != 3) {
            return malformed(String.format("client_version 0x%04x is not TLS", legacyVersion));
        }
        if (sessionId.remaining() > 32) {
            return malformed("session_id of " + sessionId.remaining() + " bytes (max 32)");
        }
        if (cipherSuites.remaining() == 0 || cipherSuites.remaining() % 2 != 0) {
            return malformed("cipher_suites length " + cipherSuites.remaining());
        }
        if (compression.remaining() == 0) {
            return malformed("no compression methods");
        }
        int[] ciphers = Ja4.ciphers(cipherSuites.remaining() / 2);
        int cipherCount = 0;
        while (cipherSuites.remaining() > 0) {
            int suite = cipherSuites.u16();
            if (!TlsVersions.isGrease(suite)) {
                ciphers[cipherCount++] = suite;
            }
        }
        Extensions ext = new Extensions();
        // TLS 1.2 and earlier may omit the extensions block entirely.
        if (body.remaining() > 0) {
            Cursor list = body.vector(2);
            if (!body.ok()) {
                return malformed("extensions length overruns the ClientHello body");
            }
            if (body.remaining() != 0) {
                return malformed(body.remaining() + " trailing bytes after the extensions");
            }
            Invalid<ClientHello> problem = ext.read(list);
            if (problem != null) {
                return problem;
            }
        }
        int version = ext.highestVersion >= 0 ? ext.highestVersion : legacyVersion;
        String ja4 = Ja4.of(version, ext.sniPresent, ciphers, cipherCount, ext.types, ext.typeCount,
                ext.alpn.isEmpty() ? null : ext.alpn.get(0), ext.sigAlgs, ext.sigAlgCount);
        return new ParseResult.Parsed<>(
                new ClientHello(ext.sni, ext.alpn, TlsVersions.name(version), false, ext.ech, ja4), consumed);
    }

    private static Invalid<ClientHello> malformed(String detail) {
        return new Invalid<>(ClientHelloParser.MALFORMED, detail);
    }

    /** What the extensions said; each reader returns why the hello is refused, or null. */
    private static final class Extensions {
        String sni;
        List<String> alpn = List.of();
        int highestVersion = -1;
        boolean ech;
        boolean sniPresent;
        /** The extension types in order, GREASE left out (for JA4). */
        int[] types = Ja4.extensionTypes();
        int typeCount;
        int[] sigAlgs = NONE;
        int sigAlgCount;

        Invalid<ClientHello> read(Cursor list) {
            ExtensionSet seen = new ExtensionSet();
            while (list.remaining() > 0) {
                int type = list.u16();
                Cursor data = list.vector(2);
                if (!list.ok()) {
                    return malformed("extension length overruns the extensions block");
                }
                if (!seen.add(type)) {
                    return malformed("duplicate extension " + type);
                }
                if (!TlsVersions.isGrease(type)) {
                    if (typeCount == types.length) {
                        types = Arrays.copyOf(types, 2 * typeCount);
                    }
                    types[typeCount++] = type;
                }
                Invalid<ClientHello> problem = switch (type) {
                    case EXT_SERVER_NAME -> serverName(data);
                    case EXT_ALPN -> alpn(data);
                    case EXT_SUPPORTED_VERSIONS -> supportedVersions(data);
                    case EXT_ECH -> ech(data);
                    case EXT_SIGNATURE_ALGORITHMS -> signatureAlgorithms(data);
                    default -> null;
                };
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        }

        /**
         * encrypted_client_hello (the TLS ECH draft): only its presence is noted. lnm decides on
         * the outer name and never on what the extension holds, and a server without ECH ignores
         * it whole, so its content is not judged here (browsers send random GREASE in it).
         */
        private Invalid<ClientHello> ech(Cursor data) {
            ech = true;
            return null;
        }

        /**
         * RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms&lt;2..2^16-2&gt;, kept in
         * order without GREASE for JA4 only. lnm decides nothing on it, so a list that does not
         * frame is not a refusal: the fingerprint then has no signature algorithms.
         */
        private Invalid<ClientHello> signatureAlgorithms(Cursor data) {
            Cursor schemes = data.vector(2);
            if (!data.ok() || data.remaining() != 0 || schemes.remaining() % 2 != 0) {
                return null;
            }
            sigAlgs = Ja4.signatureAlgorithms(schemes.remaining() / 2);
            while (schemes.remaining() > 0) {
                int scheme = schemes.u16();
                if (!TlsVersions.isGrease(scheme)) {
                    sigAlgs[sigAlgCount++] = scheme;
                }
            }
            return null;
        }

        /** RFC 6066 section 3: ServerNameList server_name_list&lt;1..2^16-1&gt;. */
        private Invalid<ClientHello> serverName(Cursor data) {
            sniPresent = true;
            Cursor names = data.vector(2);
            if (!data.ok() || data.remaining() != 0) {
                return malformed("server_name list length does not match the extension");
            }
            if (names.remaining() == 0) {
                return malformed("empty server_name list");
            }
            byte[] host = null;
            while (names.remaining() > 0) {
                int nameType = names.u8();
                // Every name type defined or deployed is an opaque<1..2^16-1>, so unknown
                // types can still be framed and skipped.
                Cursor name = names.vector(2);
                if (!names.ok()) {
                    return malformed("server_name entry overruns the list");
                }
                if (nameType != NAME_TYPE_HOST) {
                    continue;
                }
                if (host != null) {
                    // RFC 6066 forbids two names of one type; which one would the server use?
                    return malformed("more than one host_name in server_name");
                }
                if (name.remaining() == 0) {
                    return malformed("empty host_name");
                }
                host = name.bytes(name.remaining());
            }
            if (host != null) {
                String problem = HostNames.problem(host);
                if (problem != null) {
                    return new Invalid<>(ClientHelloParser.INVALID_SNI, problem);
                }
                sni = HostNames.normalize(host);
            }
            return null;
        }

        /** RFC 7301 section 3.1: ProtocolNameList of opaque ProtocolName&lt;1..2^8-1&gt;, at least one. */
        private Invalid<ClientHello> alpn(Cursor data) {
            Cursor names = data.vector(2);
            if (!data.ok() || data.remaining() != 0) {
                return malformed("ALPN list length does not match the extension");
            }
            if (names.remaining() == 0) {
                return malformed("empty ALPN list");
            }
            List<String> out = new ArrayList<>();
            while (names.remaining() > 0) {
                Cursor name = names.vector(1);
                if (!names.ok()) {
                    return malformed("ALPN protocol name overruns the list");
                }
                if (name.remaining() == 0) {
                    return malformed("empty ALPN protocol name");
                }
                out.add(new String(name.bytes(name.remaining()), StandardCharsets.ISO_8859_1));
            }
            alpn = out;
            return null;
        }

        /** RFC 8446 4.2.1: ProtocolVersion versions&lt;2..254&gt; in a ClientHello. */
        private Invalid<ClientHello> supportedVersions(Cursor data) {
            Cursor versions = data.vector(1);
            if (!data.ok() || data.remaining() != 0) {
                return malformed("supported_versions length does not match the extension");
            }
            if (versions.remaining() == 0 || versions.remaining() % 2 != 0) {
                return malformed("supported_versions list length " + versions.remaining());
            }
            while (versions.remaining() > 0) {
                int v = versions.u16();
                if (!TlsVersions.isGrease(v) && v > highestVersion) {
                    highestVersion = v;
                }
            }
            return null;
        }
    }
}
