package lnm.net;

import lnm.audit.Reason;
import lnm.config.ListenerSpec;
import lnm.config.Via;

/**
 * The front of a {@code tcp} listener: no head to read, every admitted client goes to the
 * listener's fixed target (reason {@code listener:<name>}). What the client sends first is
 * relayed as it is.
 */
final class TcpFront implements Front {
    private final ListenerSpec listener;
    private final int localPort;

    TcpFront(ListenerSpec listener, int localPort) {
        this.listener = listener;
        this.localPort = localPort;
    }

    @Override
    public int headAllowance() {
        return 0;
    }

    @Override
    public Step start(Head head) {
        return new Connect(Reason.LISTENER, listener.name(), Via.FIXED, listener.target(), localPort, 0, Seen.NOTHING);
    }

    @Override
    public Step onHead(Head head) {
        return NeedMore.INSTANCE; // decided at start: bytes wait for the relay
    }
}
