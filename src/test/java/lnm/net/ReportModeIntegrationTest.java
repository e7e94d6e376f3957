package lnm.net;

import static lnm.testing.Lnm.field;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lnm.testing.Hellos;
import lnm.testing.Lnm;
import lnm.testing.TestPki;
import lnm.testing.TlsEchoServer;

/**
 * A tls listener in report mode on loopback: a name off the allowlist is relayed (to a parent on
 * loopback, a real JDK TLS server) and audited as would-deny; everything else refuses as before;
 * the same config enforcing refuses it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReportModeIntegrationTest {
    @TempDir
    Path dir;
    TlsEchoServer tls;
    Lnm lnm;

    @BeforeEach
    void setUp() throws Exception {
        tls = new TlsEchoServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lnm != null) {
            lnm.close();
        }
        tls.close();
    }

    /** Clients from 127.0.0.1 only; names off the list go the way an empty rule sends them: to the parent, the TLS server. */
    private void startLnm(String policy) throws Exception {
        lnm = Lnm.start(dir, """
                level = 3
                listen.https = 127.0.0.1:0
                sources = 127.0.0.1
                parent = 127.0.0.1:%d
                parent.check = off
                timeouts.helloSeconds = 1
                policy = %s
                """.formatted(tls.port(), policy), """
                management.azure.com = 127.0.0.1:%d
                """.formatted(tls.port()));
    }

    private SSLSocket tlsClient(String sni) throws Exception {
        SSLSocket s = (SSLSocket) TestPki.get().clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), lnm.port("https"));
        s.setSoTimeout(20_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        p.setEndpointIdentificationAlgorithm(null); // the test server's certificate does not name the unlisted names
        s.setSSLParameters(p);
        return s;
    }

    @Test
    void anUnlistedNameIsRelayedByteExactAndAuditedAsWouldDeny() throws Exception {
        startLnm("report");
        byte[] data = new byte[256 * 1024];
        new Random(7).nextBytes(data);
        try (SSLSocket s = tlsClient("unlisted.example.org")) {
            s.startHandshake();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(data);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] back = new DataInputStream(s.getInputStream()).readNBytes(data.length);
            writer.get(30, TimeUnit.SECONDS);
            assertArrayEquals(data, back);
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("report", field(r, "reason"), r);
        assertEquals("not_allowlisted", field(r, "wouldDeny"), r);
        assertTrue(r.contains("\"reason\":\"report\",\"wouldDeny\":\"not_allowlisted\",\"via\":\"parent\""), "wouldDeny follows reason: " + r);
        assertEquals("unlisted.example.org", field(r, "sni"), r);
        assertEquals("127.0.0.1:" + tls.port(), field(r, "upstream"), r);
        assertNull(field(r, "rule"), r);
        assertTrue(tls.sniSeen.contains("unlisted.example.org"), "the hello reached the upstream unchanged");
    }

    @Test
    void aListedNameIsAuditedAsBefore() throws Exception {
        startLnm("report");
        try (SSLSocket s = tlsClient("management.azure.com")) {
            s.startHandshake();
            s.getOutputStream().write("ping\n".getBytes());
            assertEquals("ping\n", new String(new DataInputStream(s.getInputStream()).readNBytes(5)));
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("allow", field(r, "decision"), r);
        assertEquals("allowlist:management.azure.com", field(r, "reason"), r);
        assertEquals("fixed", field(r, "via"), r);
        assertFalse(r.contains("wouldDeny"), r);
    }

    @Test
    void aSourceOutsideSourcesIsStillRefused() throws Exception {
        startLnm("report");
        try (Socket c = new Socket()) {
            c.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}), 0));
            c.connect(lnm.address("https"), 10_000);
            c.setSoTimeout(10_000);
            c.getOutputStream().write(Hellos.clientHello("unlisted.example.org"));
            c.getInputStream().readAllBytes();
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(r, "decision"), r);
        assertEquals("source_not_allowed", field(r, "reason"), r);
        assertFalse(r.contains("wouldDeny"), r);
        assertTrue(tls.sniSeen.isEmpty());
    }

    @Test
    void noSniIsStillRefused() throws Exception {
        startLnm("report");
        try (SSLSocket s = tlsClient(null)) {
            assertThrows(SSLHandshakeException.class, s::startHandshake);
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(r, "decision"), r);
        assertEquals("no_sni", field(r, "reason"), r);
        assertTrue(tls.sniSeen.isEmpty());
    }

    @Test
    void theSameConfigEnforcingRefusesTheUnlistedName() throws Exception {
        startLnm("enforce");
        try (SSLSocket s = tlsClient("unlisted.example.org")) {
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);
            assertTrue(e.getMessage().contains("access_denied"), e.getMessage());
        }
        String r = lnm.awaitAudit(1).get(0);
        assertEquals("deny", field(r, "decision"), r);
        assertEquals("not_allowlisted", field(r, "reason"), r);
        assertFalse(r.contains("wouldDeny"), r);
        assertTrue(tls.sniSeen.isEmpty());
    }
}
