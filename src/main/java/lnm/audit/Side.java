package lnm.audit;

/**
 * Who ended a connection: the audit record's {@code closedBy}. {@link #CLIENT} and
 * {@link #UPSTREAM} are also the two peers of a relay, the side an I/O failure is blamed on.
 */
public enum Side {
    CLIENT("client"),
    UPSTREAM("upstream"),
    /** lnm itself: a refusal, an internal failure. */
    LNM("lnm"),
    /** Neither side sent anything for the idle timeout. */
    IDLE_TIMEOUT("idle_timeout"),
    /** lnm stopped and the drain period ended. */
    SHUTDOWN("shutdown");

    private final String text;

    Side(String text) {
        this.text = text;
    }

    /** The audit text. */
    public String text() {
        return text;
    }

    /** The other peer of a relay ({@link #CLIENT} for {@link #UPSTREAM} and back); others map to themselves. */
    public Side peer() {
        return this == CLIENT ? UPSTREAM : this == UPSTREAM ? CLIENT : this;
    }

    /** The side whose audit text is {@code text}; anything unknown is lnm's own doing. */
    public static Side of(String text) {
        for (Side s : values()) {
            if (s.text.equals(text)) {
                return s;
            }
        }
        return LNM;
    }
}
