package lnm.tls;

import java.util.List;

/**
 * What lnm needs from a ClientHello to decide on a connection and to audit it.
 *
 * @param sni        the host_name of the server_name extension, lowercased, with one trailing
 *                   dot removed; {@code null} when the client sent none
 * @param alpn       the offered application protocols in the client's order (bytes read as
 *                   ISO-8859-1, so each char is one input byte); empty when absent
 * @param tlsVersion the highest version offered, e.g. {@code "TLSv1.3"}; unknown versions as
 *                   {@code "0x0305"}
 * @param sslv2      true for an SSLv2-compatible ClientHello, which never carries an SNI
 * @param ech        true when it carries encrypted_client_hello (0xfe0d): the real name is
 *                   encrypted, {@code sni} is the outer (public) name. Real ECH and the GREASE
 *                   that browsers send without an ECH config look the same, by design.
 */
public record ClientHello(String sni, List<String> alpn, String tlsVersion, boolean sslv2, boolean ech) {

    public ClientHello {
        alpn = alpn == null ? List.of() : List.copyOf(alpn);
    }

    /** A hello without encrypted_client_hello. */
    public ClientHello(String sni, List<String> alpn, String tlsVersion, boolean sslv2) {
        this(sni, alpn, tlsVersion, sslv2, false);
    }
}
