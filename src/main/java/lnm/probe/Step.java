package lnm.probe;

/**
 * Where a probe of one name stopped, in the order a device's connection takes them; printed
 * upper case in the STEP column of {@code lnm probe}.
 */
public enum Step {
    /** This box's own policy: it refuses the name, or a wildcard needs a sample name. */
    POLICY,
    /** A name (the endpoint's, a parent's, a proxy's) did not resolve. */
    DNS,
    /** No TCP connection to any address of the route. */
    TCP,
    /** The egress HTTP proxy did not open the tunnel. */
    PROXY,
    /** A level above refused or closed the connection (it answered the hello with an alert). */
    LEVEL,
    /** The TLS handshake with the endpoint; the last step, also of a probe that succeeded. */
    TLS
}
