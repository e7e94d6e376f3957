package lnm.audit;

/** An audit record's {@code decision}: whether lnm let the connection through. */
public enum Verdict {
    ALLOW("allow"),
    DENY("deny");

    private final String text;

    Verdict(String text) {
        this.text = text;
    }

    /** The audit text ({@code allow}, {@code deny}); a contract, never changed. */
    public String text() {
        return text;
    }
}
