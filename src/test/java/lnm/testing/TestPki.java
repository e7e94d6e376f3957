package lnm.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test certificate made once per JVM with the JDK's own {@code keytool}: self-signed, valid
 * for the names the tests use, exported as PKCS#12 (for JDK servers and clients) and PEM (for
 * curl, openssl and mosquitto as a CA file).
 */
public final class TestPki {
    public static final String PASSWORD = "changeit";
    public static final List<String> NAMES = List.of("management.azure.com", "*.azure.com", "allowed.example",
            "myhub.azure-devices.net", "historian.plant.local", "localhost");
    private static TestPki instance;

    public final Path dir;
    public final Path keystore;
    public final Path certPem;

    private TestPki(Path dir) {
        this.dir = dir;
        this.keystore = dir.resolve("server.p12");
        this.certPem = dir.resolve("server.pem");
    }

    public static synchronized TestPki get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("lnm-pki");
                TestPki p = new TestPki(dir);
                p.generate();
                instance = p;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot make test certificate: " + e, e);
            }
        }
        return instance;
    }

    private void generate() throws IOException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        StringBuilder san = new StringBuilder();
        for (String n : NAMES) {
            san.append(san.length() == 0 ? "" : ",").append("dns:").append(n);
        }
        san.append(",ip:127.0.0.1");
        run(keytool, "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD, "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "30",
                "-dname", "CN=management.azure.com", "-ext", "SAN=" + san, "-ext", "BC:c=ca:true",
                "-ext", "KU:c=digitalSignature,keyCertSign");
        run(keytool, "-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-alias", "server",
                "-file", certPem.toString());
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String outText = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + outText);
        }
    }

    /** A server context presenting the test certificate. */
    public SSLContext serverContext() {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts the test certificate (and verifies host names against it). */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", ks.getCertificate("server"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
