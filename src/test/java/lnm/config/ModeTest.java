package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A listener mode is one constant: its spelling, parsing and the key's description follow from it. */
class ModeTest {
    @Test
    void everyModeParsesFromItsSpellingAnyCase() {
        for (Mode m : Mode.values()) {
            assertEquals(m, Mode.parse(m.toString()));
            assertEquals(m, Mode.parse(" " + m.name() + " "));
        }
    }

    @Test
    void theKeyDescriptionListsEveryMode() {
        assertEquals("tls, tcp or http", Mode.choices());
        assertEquals("tls, tcp or http", Key.LISTEN_MODE.allowed());
    }

    @Test
    void unknownModeIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mode.parse("ssh"));
        assertEquals("unknown mode 'ssh'", e.getMessage());
    }
}
