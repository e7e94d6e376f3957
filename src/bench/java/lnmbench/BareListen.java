package lnmbench;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The floor of start-up: a JVM that only opens a listening socket and accepts one connection.
 * {@code src/bench/firstsecs.sh} times it from exec to accepting on lnm's runtime and flags,
 * beside lnm, so the part of lnm's start-up that is the JVM's own shows.
 *
 * <p>Usage: {@code java -cp CLASSES lnmbench.BareListen PORT} (binds 127.0.0.1).
 */
public final class BareListen {
    private BareListen() {}

    public static void main(String[] args) throws Exception {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
            try (SocketChannel c = s.accept()) {
                // one connection is the measurement; closing it ends the run
            }
        }
    }
}
