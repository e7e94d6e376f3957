package lnm.upstream;

import lnm.config.HostPort;

/**
 * One parent's state for the status page and {@code /metrics}.
 *
 * @param parent as configured (port -1: the listener's)
 * @param up whether connections try it before the ones marked down
 * @param forMillis how long it has been in this state
 * @param attempts connections that tried it
 * @param failures of those, the ones that could not reach it
 * @param why when down, the last failure (connection or active check); else null
 */
public record ParentStatus(HostPort parent, boolean up, long forMillis, long attempts, long failures, String why) {}
