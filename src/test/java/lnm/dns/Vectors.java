package lnm.dns;

import lnm.testing.Hex;

/**
 * Real DNS queries captured on loopback (a UDP socket standing in for the server), annotated
 * field by field.
 */
final class Vectors {
    private Vectors() {}

    /** {@code dig @127.0.0.1 -p PORT +tries=1 +time=1 management.azure.com A} (DiG 9.18.49, Debian 12). */
    static final byte[] DIG_A = Hex.parse("""
            80 64                    # ID
            01 20                    # flags: RD, AD (dig sets AD in queries)
            00 01 00 00 00 00 00 01  # QD 1, AN 0, NS 0, AR 1
            0a 'management' 05 'azure' 03 'com' 00
            00 01 00 01              # A, IN
            00                       # OPT: root name
            00 29                    # type OPT
            04 d0                    # UDP payload size 1232
            00 00 00 00              # extended rcode 0, version 0, DO 0
            00 0c                    # rdlength 12
            00 0a 00 08 56 83 81 1e a8 51 49 ed   # COOKIE option, 8-byte client cookie
            """);

    /** {@code dig +noedns +nocookie Management.Azure.COM AAAA}: no OPT record, mixed case. */
    static final byte[] DIG_AAAA_NOEDNS = Hex.parse("""
            2f 57 01 20 00 01 00 00 00 00 00 00
            0a 'Management' 05 'Azure' 03 'COM' 00
            00 1c 00 01              # AAAA, IN
            """);

    /** {@code dig +nocookie +dnssec x.his.arc.azure.com A}: OPT with the DO bit, no options. */
    static final byte[] DIG_DNSSEC = Hex.parse("""
            46 f2 01 20 00 01 00 00 00 00 00 01
            01 'x' 03 'his' 03 'arc' 05 'azure' 03 'com' 00
            00 01 00 01
            00 00 29 04 d0           # OPT, 1232
            00 00 80 00              # DO
            00 00
            """);

    /**
     * The JDK's own DNS client (JNDI {@code com.sun.jndi.dns}, JDK 17) asked for the A record of
     * management.azure.com at {@code dns://127.0.0.1:PORT}: RD only, no EDNS.
     */
    static final byte[] JDK_A = Hex.parse("""
            30 c1 01 00 00 01 00 00 00 00 00 00
            0a 'management' 05 'azure' 03 'com' 00
            00 01 00 01
            """);

    /** A response with compression: the answer's name points at the question (C0 0C), then a CNAME chain. */
    static final byte[] RESPONSE_COMPRESSED = Hex.parse("""
            12 34 81 80 00 01 00 02 00 00 00 00   # QR RD RA, 1 question, 2 answers
            03 'www' 07 'example' 03 'org' 00     # offset 12: www.example.org
            00 01 00 01
            c0 0c 00 05 00 01 00 00 0e 10 00 06   # www.example.org CNAME, ttl 3600, rdlength 6
            03 'cdn' c0 10                        # rdata: cdn + pointer to example.org (offset 16)
            c0 2d 00 01 00 01 00 00 00 3c 00 04   # offset 45 = cdn.example.org: A, ttl 60
            5d b8 d8 22                           # 93.184.216.34
            """);
}
