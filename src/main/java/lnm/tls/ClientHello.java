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
 * @param ja4        the JA4 fingerprint (FoxIO) of the hello, e.g.
 *                   {@code "t13d1516h2_8daaf6152771_e5627efa2ab1"}; {@code null} for an
 *                   SSLv2-compatible hello, which JA4 does not define
 */
public record ClientHello(String sni, List<String> alpn, String tlsVersion, boolean sslv2, boolean ech, String ja4) {

    public ClientHello {
        alpn = alpn == null ? List.of() : List.copyOf(alpn);
    }

    /** A hello without a fingerprint. */
    public ClientHello(String sni, List<String> alpn, String tlsVersion, boolean sslv2, boolean ech) {
        this(sni, alpn, tlsVersion, sslv2, ech, null);
    }

    /** A hello without encrypted_client_hello and without a fingerprint. */
    public ClientHello(String sni, List<String> alpn, String tlsVersion, boolean sslv2) {
        this(sni, alpn, tlsVersion, sslv2, false, null);
    }

    /** This hello without its fingerprint: what the decision depends on, for comparing hellos. */
    public ClientHello withoutJa4() {
        return ja4 == null ? this : new ClientHello(sni, alpn, tlsVersion, sslv2, ech, null);
    }
}
