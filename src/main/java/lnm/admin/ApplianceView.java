package lnm.admin;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

import lnm.config.Config;
import lnm.floor.ConnectionInfo;
import lnm.net.HeadBytes;

/**
 * What the admin endpoints read from the running appliance. The composition root
 * (the command line's {@code Appliance}, a layer above) implements it over its parts; tests can supply their own.
 * Every method is called from admin threads, never from a loop thread.
 */
public interface ApplianceView {
    /** The config new connections use. */
    Config config();

    /** Every configured listener is bound and the appliance is not shutting down. */
    boolean ready();

    /** Whether a drain has begun (then not ready). */
    boolean stopping();

    int activeConnections();

    /** Bytes held before a decision by all connections, and their budget ({@code limits.headBytes}). */
    default HeadBytes headBytes() {
        return HeadBytes.NONE;
    }

    /** Live connections right now (gathers from each event loop). */
    List<ConnectionInfo> connections();

    /** Where a listener is bound, if it is. */
    Optional<InetSocketAddress> listenerAddress(String listener);

    /** Every address a listener is bound to (each of its interface's, when it names one). */
    default java.util.List<InetSocketAddress> listenerAddresses(String listener) {
        return listenerAddress(listener).map(java.util.List::of).orElse(java.util.List.of());
    }

    long auditWritten();

    long auditDropped();

    long dnsCacheHits();

    /** Datagrams the DNS server's forwarder dropped as not the answer to a forwarded query. */
    default long dnsForwardMismatches() {
        return 0;
    }

    /** Process start of the appliance, epoch milliseconds. */
    long startedAt();

    String version();

    /** Each configured parent's health, in the order written; none at the top level. */
    default List<lnm.upstream.ParentStatus> parents() {
        return List.of();
    }

    /** Each egress proxy's health ({@code egress.proxy}), in the order written; none without one. */
    default List<lnm.upstream.ParentStatus> egressProxies() {
        return List.of();
    }

    /** The box's fleet part (plant view on the top box), if the appliance has one. */
    default Optional<lnm.fleet.Fleet> fleet() {
        return Optional.empty();
    }
}
