package lnm.wire;

/**
 * The outcome of feeding a wire parser the bytes that have arrived so far.
 *
 * <p>Parsers (ClientHello, PROXY v2, HTTP head, DNS) are pure functions over a read-only
 * buffer: they never throw on bad input and never move the caller's position. A caller keeps
 * reading while the answer is {@link NeedMore}, acts on {@link Parsed}, and closes with the
 * {@link Fault} of {@link Invalid}.
 */
public sealed interface ParseResult<T> {

    /** Not enough bytes yet; nothing is wrong so far. */
    record NeedMore<T>() implements ParseResult<T> {}

    /** A complete message: {@code consumed} bytes from the start of the input make it up. */
    record Parsed<T>(T value, int consumed) implements ParseResult<T> {}

    /**
     * The input can never become valid.
     *
     * @param reason the typed cause; a connection's audit reason is {@code Reason.of(reason)}
     * @param detail what exactly was wrong, for logs and tests
     */
    record Invalid<T>(Fault reason, String detail) implements ParseResult<T> {}

    static <T> ParseResult<T> needMore() {
        return new NeedMore<>();
    }

    static <T> ParseResult<T> invalid(Fault reason, String detail) {
        return new Invalid<>(reason, detail);
    }
}
