package lnm.tls;

import lnm.testing.Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The alert lnm sends a denied client, checked byte for byte and against a real client. */
class AlertsTest {

    @ParameterizedTest
    @ValueSource(ints = {Alerts.ACCESS_DENIED, Alerts.UNRECOGNIZED_NAME, Alerts.HANDSHAKE_FAILURE,
            Alerts.DECODE_ERROR, Alerts.INTERNAL_ERROR})
    void recordBytes(int description) {
        assertEquals("150303000202" + String.format("%02x", description), Hex.of(Alerts.fatal(description)));
    }

    @Test
    void descriptionMustBeAByte() {
        assertThrows(IllegalArgumentException.class, () -> Alerts.fatal(256));
        assertThrows(IllegalArgumentException.class, () -> Alerts.fatal(-1));
    }

    /** A JDK client that has sent its hello and gets our alert back understands it. */
    @ParameterizedTest
    @CsvSource({
        "TLSv1.3, 49,  access_denied",
        "TLSv1.2, 49,  access_denied",
        "TLSv1.3, 112, unrecognized_name",
        "TLSv1.2, 50,  decode_error",
        "TLSv1.3, 80,  internal_error",
        "TLSv1.2, 40,  handshake_failure",
    })
    void realClientReportsTheAlert(String version, int description, String name) throws Exception {
        SSLEngine client = Hellos.clientEngine(Hellos.AZURE, new String[] {version}, Hellos.H2_HTTP11);
        Hellos.firstFlight(client);
        ByteBuffer in = ByteBuffer.wrap(Alerts.fatal(description));
        ByteBuffer app = ByteBuffer.allocate(client.getSession().getApplicationBufferSize());
        SSLException e = assertThrows(SSLException.class, () -> client.unwrap(in, app));
        assertTrue(e.getMessage().contains(name), e.getMessage());
        assertTrue(client.isInboundDone());
    }
}
