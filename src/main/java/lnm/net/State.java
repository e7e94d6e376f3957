package lnm.net;

/**
 * The one state of a {@link Connection}.
 *
 * <pre>
 *   READING_HELLO --hello parsed, allowed--> DECIDING --address known--> CONNECTING --connected--> RELAYING
 *        |                                     |                            |                         |
 *        | timeout, malformed, denied          | dns failed/timeout,        | refused, timeout        | one side sent FIN
 *        v                                     v forbidden address          v (after last address)    v
 *     DRAINING (flush a TLS alert, linger) -------------------------------------------------------> DRAINING
 *        |                                                                                           |
 *        +------------------------------------------> CLOSED <---------------------------------------+
 *                                                       both directions done, reset, idle timeout, shutdown
 * </pre>
 *
 * <ul>
 *   <li>{@code READING_HELLO}: reading a PROXY v2 header (only from trusted sources) and the TLS
 *       ClientHello; a plain TCP listener passes through at once. Bounded by the hello timeout,
 *       counted from accept, so dribbling bytes does not extend it.</li>
 *   <li>{@code DECIDING}: allowed by policy; waiting for the resolver. Bounded by the connect timeout.</li>
 *   <li>{@code CONNECTING}: non-blocking connect to the upstream, trying each resolved address in turn.</li>
 *   <li>{@code RELAYING}: both directions open; the buffered hello is replayed first.</li>
 *   <li>{@code DRAINING}: either one direction is finished (half-closed) while the other still
 *       flows, or the connection is refused and a TLS alert is being flushed before close.</li>
 *   <li>{@code CLOSED}: channels closed, buffers returned, audit record written. Terminal.</li>
 * </ul>
 *
 * <p>HTTP listeners ({@link HttpFront}) use the same states. {@code READING_HELLO} first reads
 * the request head; a refusal there is an HTTP response instead of a TLS alert. A CONNECT goes
 * {@code DECIDING -> CONNECTING} and then, once connected, back to {@code READING_HELLO} (the
 * upstream connected and idle, the 200 being written, the hello timeout restarted) to read the
 * tunnel's hello; a matching SNI goes on to {@code RELAYING}, anything else is refused with a TLS
 * alert. A plain request relays at once; a later request head that is refused ends the client's
 * direction like a FIN would, and the refusal is written after the upstream's last byte.
 */
enum State {
    READING_HELLO,
    DECIDING,
    CONNECTING,
    RELAYING,
    DRAINING,
    CLOSED
}
