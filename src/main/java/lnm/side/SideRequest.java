package lnm.side;

import java.net.InetAddress;
import java.util.List;

import lnm.http.Header;

/**
 * One complete request to a side port, as its loop read it: the head passed the strict parser
 * ({@link lnm.http.HttpHeadParser}), the body is whole and within the handler's bound.
 *
 * @param method the method token as sent
 * @param path the path of the origin-form target, without its query
 * @param headers every header line in order
 * @param body the body ({@code Content-Length} bytes; empty when none was sent)
 * @param client the peer's address
 */
public record SideRequest(String method, String path, List<Header> headers, byte[] body, InetAddress client) {

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.is(name)) {
                return h.value();
            }
        }
        return null;
    }
}
