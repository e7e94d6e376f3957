package lnm.side;

import lnm.http.RequestHead;

/**
 * What a side port serves. The loop asks {@link #maxBody} and {@link #quick} when a head is in;
 * {@link #handle} runs on the loop thread for quick requests and on the port's two workers for
 * the rest.
 */
public interface SideHandler {

    /**
     * The largest body this request may carry; a larger {@code Content-Length} is answered 413
     * before any of the body is read. 0 (the default): no body.
     */
    default int maxBody(RequestHead head) {
        return 0;
    }

    /**
     * Whether the answer is cheap and never blocks (a health check): such requests are answered on
     * the loop thread, so no queue of slow requests can delay them.
     */
    default boolean quick(RequestHead head) {
        return false;
    }

    /** The answer. May throw; the client then gets 500 and the port goes on. */
    SideResponse handle(SideRequest request);
}
