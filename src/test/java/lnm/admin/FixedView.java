package lnm.admin;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import lnm.config.Config;
import lnm.floor.ConnectionInfo;

/**
 * An appliance with nothing running behind it, for tests of the admin side: ready, the config
 * the test supplies, the live connections it names, every listener bound where {@code bound}
 * says (or nowhere), and seven audit records written.
 */
final class FixedView implements ApplianceView {
    private final Supplier<Config> config;
    private final List<ConnectionInfo> live;
    private final Optional<InetSocketAddress> bound;

    FixedView(Supplier<Config> config, List<ConnectionInfo> live, Optional<InetSocketAddress> bound) {
        this.config = config;
        this.live = live;
        this.bound = bound;
    }

    @Override
    public Config config() {
        return config.get();
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public boolean stopping() {
        return false;
    }

    @Override
    public int activeConnections() {
        return live.size();
    }

    @Override
    public List<ConnectionInfo> connections() {
        return live;
    }

    @Override
    public Optional<InetSocketAddress> listenerAddress(String listener) {
        return bound;
    }

    @Override
    public long auditWritten() {
        return 7;
    }

    @Override
    public long auditDropped() {
        return 0;
    }

    @Override
    public long dnsCacheHits() {
        return 0;
    }

    @Override
    public long startedAt() {
        return 0;
    }

    @Override
    public String version() {
        return "test";
    }
}
