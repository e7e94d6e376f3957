package lnm.net;

import static lnm.testing.Lnm.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import lnm.testing.Lnm;
import lnm.tls.RealClientJa4TestAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit record of a real connection carries the JA4 fingerprint of its ClientHello (after
 * "tls"), and a connection that sent no hello has none.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Ja4AuditTest {
    @TempDir
    Path dir;

    @Test
    void aDeniedTlsConnectionIsAuditedWithItsFingerprint() throws Exception {
        try (Lnm lnm = Lnm.start(dir, """
                level = 3
                listen.https = 127.0.0.1:0
                timeouts.helloSeconds = 5
                """, "allowed.example\n")) {
            int port = lnm.port("https");
            try (SSLSocket s = (SSLSocket) SSLSocketFactory.getDefault().createSocket("127.0.0.1", port)) {
                SSLParameters p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName("unlisted.example")));
                p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
                s.setSSLParameters(p);
                s.setSoTimeout(30_000);
                s.startHandshake();
            } catch (IOException expected) {
                // lnm refuses the name
            }
            String rec = lnm.awaitAudit(1).get(0);
            assertEquals("deny", field(rec, "decision"), rec);
            String ja4 = field(rec, "ja4");
            assertNotNull(ja4, rec);
            assertEquals(rec.indexOf("\"ja4\""), rec.indexOf(",", rec.indexOf("\"tls\"")) + 1, "ja4 right after tls: " + rec);
            // the same client configuration, captured on its own, has the same fingerprint
            byte[] hello = RealClientJa4TestAccess.captureJavaSocket();
            assertEquals(RealClientJa4TestAccess.ja4(hello), ja4, rec);

            try (Socket plain = new Socket("127.0.0.1", port)) {
                plain.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
                plain.setSoTimeout(30_000);
                plain.getInputStream().read();
            } catch (IOException ignored) {
                // refused as malformed
            }
            String second = lnm.awaitAudit(2).get(1);
            assertNull(field(second, "ja4"), second);
        }
    }
}
