package lnm.net;

/**
 * The bytes held before a decision by all connections now ({@code held}) and their budget
 * ({@code limit}, {@code limits.headBytes} resolved), as the metrics show them.
 */
public record HeadBytes(long held, long limit) {
    /** Nothing held, no budget: what a view without a proxy engine reports. */
    public static final HeadBytes NONE = new HeadBytes(0, 0);
}
