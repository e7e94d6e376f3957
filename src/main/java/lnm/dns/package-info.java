/**
 * DNS: the outbound resolver the proxy uses ({@link lnm.dns.Resolver}),
 * and the built-in DNS server for the level below ({@link lnm.dns.DnsServer}).
 *
 * <h2>The built-in server</h2>
 * With {@code dns.listen = [address:]port}, devices in the level below can use this box as
 * their DNS server: every name the allowlist allows resolves to this box, so their TLS
 * connections come to the proxy without a separately configured DNS server.
 *
 * <table>
 *   <caption>What a query gets</caption>
 *   <tr><th>query</th><th>answer</th><th>counted as</th></tr>
 *   <tr><td>allowlisted name (exact or wildcard), class IN, type A</td>
 *       <td>NOERROR, AA, the IPv4 address the query was sent to (or {@code dns.answer}'s IPv4 ones),
 *           TTL {@code dns.ttl}</td><td>answered</td></tr>
 *   <tr><td>... type AAAA</td><td>the same interface's IPv6 addresses (or {@code dns.answer}'s IPv6 ones)</td>
 *       <td>answered</td></tr>
 *   <tr><td>... no address of that family, or any other type (MX, TXT, HTTPS, ANY ...)</td>
 *       <td>NOERROR, AA, no records, no SOA in the authority section</td><td>answered</td></tr>
 *   <tr><td>... answer larger than the client's UDP size (512 without EDNS, else its size, at most 1232)</td>
 *       <td>the header and question with TC set, no records; the client retries over TCP</td>
 *       <td>answered (and truncated)</td></tr>
 *   <tr><td>a name at or below a zone of {@code dns.forwardZones} (with {@code dns.upstream})</td>
 *       <td>the upstream's answer, unchanged but for the ID; over UDP cut to the header and question
 *       with TC set when larger than the client's size (512 without EDNS)</td><td>forwarded</td></tr>
 *   <tr><td>any other name (or class)</td><td>REFUSED</td><td>refused</td></tr>
 *   <tr><td>forwarded, no answer within {@code dns.upstreamTimeoutSeconds}</td><td>SERVFAIL</td>
 *       <td>servfail</td></tr>
 *   <tr><td>does not parse, or not one question</td><td>FORMERR (header only when it does not parse);
 *       nothing for under 12 bytes or a response</td><td>malformed</td></tr>
 *   <tr><td>opcode other than QUERY / EDNS version above 0</td><td>NOTIMP / BADVERS</td><td>unsupported</td></tr>
 *   <tr><td>client outside {@code dns.sources} (default: {@code sources})</td><td>nothing (TCP: closed)</td>
 *       <td>source_denied</td></tr>
 *   <tr><td>client over {@code dns.rateLimit} queries/s (bursts of twice that)</td><td>nothing</td>
 *       <td>ratelimited</td></tr>
 * </table>
 *
 * <p>Why the choices: the server is never an open resolver (source CIDRs, and names off the
 * allowlist are only ever forwarded to the configured plant servers), nor a tunnel around the
 * allowlist (only names in the plant's own zones are forwarded: a plant resolver that reaches
 * the internet would otherwise carry {@code <data>.attacker.example} queries and their TXT
 * answers); a TCP client has an absolute deadline per query and per connection, so trickled
 * bytes cannot hold one of the 256 slots; it cannot be used to amplify (answers to spoofable UDP are bounded by a per-client token bucket, REFUSED and
 * FORMERR are no larger than the query, ANY gets nothing); and malformed input costs little
 * (the parser is bounded, pointers must go strictly backwards, see {@link lnm.dns.DnsParser});
 * a forwarded query goes out on a socket of its own on a random port with a random ID, and
 * only the upstream's answer to that question on that socket is taken, so an off-path forger
 * must guess port and ID while the query waits ({@link lnm.dns.Forwarder}).
 *
 * <p>Known limits: a query forwarded for a TCP client goes upstream over UDP, so an upstream
 * answer the upstream itself truncated reaches that client with TC set; UDP sockets for a wildcard
 * {@code dns.listen} follow local addresses at start, on reload and every 30 s, so for a
 * moment after an address appears queries to it are not answered. A {@code dns.listen} that
 * names an interface ({@code eth1:53}) follows that interface's addresses within the interface
 * watcher's period ({@link lnm.floor.NicWatch}, 2 s), and {@code dns.answer = eth1} answers with
 * its addresses as they are at the query.
 */
package lnm.dns;
