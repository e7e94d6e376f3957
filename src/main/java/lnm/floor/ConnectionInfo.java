package lnm.floor;

/**
 * A point-in-time view of one live connection, for the admin endpoint's {@code /connections}.
 *
 * @param ageMillis time since accept
 */
public record ConnectionInfo(String listener, String client, String origin, String sni, String state,
        String upstream, long bytesUp, long bytesDown, long ageMillis) {}
