package lnm.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.logging.Logger;
import lnm.floor.EventLoop;

/**
 * One UDP socket of the DNS server, bound to one local address (which tells the answer which
 * address the client asked), a handler on the DNS server's event loop. A datagram that fails
 * is lost alone: the socket stays, and the client retries.
 */
final class UdpSocket implements EventLoop.Ready {
    private static final Logger LOG = Logger.getLogger(UdpSocket.class.getName());
    /** Datagrams read per ready event, so one busy socket does not starve the others. */
    private static final int BATCH = 64;

    final DatagramChannel channel;
    final InetAddress local;
    private final QueryHandler handler;
    private final ByteBuffer scratch;

    UdpSocket(DatagramChannel channel, InetAddress local, QueryHandler handler, ByteBuffer scratch) {
        this.channel = channel;
        this.local = local;
        this.handler = handler;
        this.scratch = scratch;
    }

    @Override
    public void onReady(SelectionKey key) throws IOException {
        for (int i = 0; i < BATCH; i++) {
            scratch.clear();
            SocketAddress from = channel.receive(scratch);
            if (from == null) {
                return;
            }
            scratch.flip();
            InetSocketAddress client = (InetSocketAddress) from;
            handler.handle(scratch, client, local, QueryHandler.UDP, response -> {
                try {
                    channel.send(ByteBuffer.wrap(response), client);
                } catch (IOException e) {
                    // UDP is lossy anyway; the client retries
                }
            });
        }
    }

    @Override
    public void onFailure(Throwable t) {
        if (!(t instanceof IOException)) {
            LOG.warning("dns: unexpected failure on udp " + lnm.config.IpLiteral.format(local) + ": " + t);
        }
    }
}
