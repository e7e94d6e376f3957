package lnm.probe;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust a probe checks certificates against: the JDK's default trust store, or the CA
 * certificates of one file (PEM or DER, one or several), as {@code --truststore FILE} gives.
 */
public final class Trust {
    /** The largest trust file read: a bundle of every public CA is about 200 KiB. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
    /** The most certificates taken from one file. */
    public static final int MAX_CERTIFICATES = 1000;

    private Trust() {}

    /** The JDK's default trust store (its {@code cacerts}, or what {@code javax.net.ssl.trustStore} names). */
    public static X509ExtendedTrustManager jdkDefault() throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        return pick(f);
    }

    /**
     * The certificates of {@code file} as the only trust anchors.
     *
     * @throws IOException when the file cannot be read, is too large, or holds no certificate;
     *     the message says which
     */
    public static X509ExtendedTrustManager fromFile(Path file) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not a readable file");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        Collection<? extends Certificate> certs;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(file + ": not PEM or DER certificates: " + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new IOException(file + ": holds no certificate");
        }
        if (certs.size() > MAX_CERTIFICATES) {
            throw new IOException(file + ": more than " + MAX_CERTIFICATES + " certificates");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        return pick(f);
    }

    private static X509ExtendedTrustManager pick(TrustManagerFactory f) throws GeneralSecurityException {
        for (TrustManager t : f.getTrustManagers()) {
            if (t instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }
}
