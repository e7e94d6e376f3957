package lnm.hardening;

import org.junit.jupiter.api.Tag;

/**
 * {@link UpstreamFaultsTest} again, with its wall-clock judgments on: each fault ends the client
 * within a second or so of its cause, and the canary on the same loop completes well under the
 * connect timeout. Meaningful on a quiet machine only, so tagged {@code load}
 * ({@code make load-test}); the behaviour itself is checked by {@link UpstreamFaultsTest} in
 * {@code make test}.
 */
@Tag("load")
class UpstreamFaultsTimingTest extends UpstreamFaultsTest {
    @Override
    boolean judgeTiming() {
        return true;
    }
}
