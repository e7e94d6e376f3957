/**
 * The TLS ClientHello: a pure parser that reads the SNI, ALPN and offered version from the
 * bytes that have arrived so far, and the fatal alert lnm sends to a client it denies.
 *
 * <p>lnm never terminates TLS; it only reads the first handshake message in the clear and then
 * relays the encrypted bytes untouched. Everything here is therefore about framing and vectors
 * (RFC 8446, RFC 5246, RFC 6066 server_name, RFC 7301 ALPN), never about cryptography.
 */
package lnm.tls;
