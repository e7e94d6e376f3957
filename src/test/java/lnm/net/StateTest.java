package lnm.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The edges the connection core may take are the diagram's: forward only, and CLOSED from anywhere. */
class StateTest {
    @Test
    void everyStateButClosedMayClose() {
        for (State s : State.values()) {
            assertTrue(s == State.CLOSED || s.canGo(State.CLOSED), s + " -> CLOSED");
        }
        for (State s : State.values()) {
            assertFalse(State.CLOSED.canGo(s), "CLOSED is terminal: -> " + s);
        }
    }

    @Test
    void noBackwardEdge() {
        for (State from : State.values()) {
            for (State to : State.values()) {
                if (from.canGo(to)) {
                    assertTrue(to.ordinal() >= from.ordinal(), from + " -> " + to + " goes back");
                }
            }
        }
    }

    @Test
    void onlyTheConnectStepReentersItsStates() {
        for (State s : State.values()) {
            assertTrue(s.canGo(s) == (s == State.DECIDING || s == State.CONNECTING), s + " -> " + s);
        }
    }

    @Test
    void theDiagramsEdges() {
        assertTrue(State.READING_HEAD.canGo(State.DECIDING));
        assertTrue(State.READING_HEAD.canGo(State.REFUSING));
        assertTrue(State.DECIDING.canGo(State.CONNECTING));
        assertTrue(State.CONNECTING.canGo(State.RELAYING));
        assertTrue(State.CONNECTING.canGo(State.TUNNEL_HELLO));
        assertTrue(State.TUNNEL_HELLO.canGo(State.RELAYING));
        assertTrue(State.TUNNEL_HELLO.canGo(State.REFUSING));
        assertTrue(State.RELAYING.canGo(State.HALF_CLOSED));
        assertFalse(State.READING_HEAD.canGo(State.RELAYING), "no relay before a connect");
        assertFalse(State.RELAYING.canGo(State.REFUSING), "a relayed stream is never refused with last words");
        assertFalse(State.REFUSING.canGo(State.RELAYING));
        assertFalse(State.DECIDING.canGo(State.RELAYING), "an address is tried first");
    }
}
