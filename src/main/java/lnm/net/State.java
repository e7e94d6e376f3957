package lnm.net;

/**
 * The one state of a {@link Connection}. The connection core changes it in one method only,
 * which refuses an edge {@link #canGo} does not list and arms the new state's deadline.
 *
 * <pre>
 *  READING_HEAD ──allowed──> DECIDING ──addresses──> CONNECTING ──connected──> RELAYING ──one FIN──> HALF_CLOSED
 *       │                       │                     │  ↺ next address          ▲    │                   │
 *       │                       │                     │                          │    │                   │
 *       │                       │                     └─CONNECT held─> TUNNEL_HELLO   │                   │
 *       │                       │                     │                     │         │                   │
 *       └──denied, malformed,───┴──dns failed/timeout,┴──unreachable,───────┴─SNI     │                   │
 *          timeout               forbidden address      timeout                mismatch                   │
 *                                        │                                            │                   │
 *                                        v                                            v                   v
 *                                    REFUSING ──linger over, client gone──────────> CLOSED <──both done────┘
 * </pre>
 *
 * Every state may also go straight to {@code CLOSED} (a reset, an internal failure, shutdown).
 * There is no backward edge: a state, once left, is never entered again (CONNECTING moving on
 * to the next candidate address, or resolving the next parent, enters CONNECTING again, and
 * DECIDING resolving the next parent enters DECIDING again: each a new deadline).
 *
 * <ul>
 *   <li>{@code READING_HEAD}: reading what comes before the decision: a PROXY v2 header (only
 *       from trusted sources), then what the listener's front parses (a TLS ClientHello, an
 *       HTTP request head; a tcp listener decides at once). Bounded by the hello timeout,
 *       counted from accept, so dribbling bytes does not extend it.</li>
 *   <li>{@code DECIDING}: allowed by policy; the destination's addresses are being resolved
 *       and checked (a parent whose name does not resolve gives way to the next one, still
 *       here). Bounded by the connect timeout.</li>
 *   <li>{@code CONNECTING}: non-blocking connect to the upstream, each candidate address in turn
 *       ({@link Candidates}); when a parent's addresses are used up, the next parent is
 *       resolved and tried. Bounded by the connect timeout per address and per resolution.
 *       Through an egress proxy the CONNECT exchange ({@link ProxyTunnel}) is part of this
 *       state, entered again when it starts (a new connect timeout).</li>
 *   <li>{@code TUNNEL_HELLO}: an http CONNECT is answered (200) and the upstream is connected
 *       and idle; the tunnel's TLS hello is read and its SNI checked against the CONNECT host.
 *       Bounded by a new hello timeout. Refusals from here on are TLS alerts.</li>
 *   <li>{@code RELAYING}: both directions open ({@link Pipe} each way); the buffered head is
 *       replayed upstream first. Bounded by the idle timeout.</li>
 *   <li>{@code HALF_CLOSED}: one direction has ended (its FIN passed on), the other still flows.
 *       Bounded by the idle timeout.</li>
 *   <li>{@code REFUSING}: refused before any byte was relayed; the last words (a TLS alert, an
 *       HTTP error) are written and the client gets a short linger to read them
 *       ({@link Farewell}).</li>
 *   <li>{@code CLOSED}: channels closed, buffers returned, the audit record written. Terminal.</li>
 * </ul>
 */
enum State {
    READING_HEAD,
    DECIDING,
    CONNECTING,
    TUNNEL_HELLO,
    RELAYING,
    HALF_CLOSED,
    REFUSING,
    CLOSED;

    /**
     * Whether the diagram has an edge from this state to {@code next}. {@code DECIDING} and
     * {@code CONNECTING} may be entered again (the next destination resolved, the next address
     * tried: a new deadline); every state but {@code CLOSED} may go to {@code CLOSED}.
     */
    boolean canGo(State next) {
        if (this == CLOSED) {
            return false;
        }
        if (next == CLOSED) {
            return true;
        }
        return switch (this) {
            case READING_HEAD -> next == DECIDING || next == REFUSING;
            case DECIDING -> next == DECIDING || next == CONNECTING || next == REFUSING;
            case CONNECTING -> next == CONNECTING || next == TUNNEL_HELLO || next == RELAYING || next == REFUSING;
            case TUNNEL_HELLO -> next == RELAYING || next == REFUSING;
            case RELAYING -> next == HALF_CLOSED;
            case HALF_CLOSED, REFUSING, CLOSED -> false;
        };
    }
}
