package lnm.probe;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * The run's trust, which also remembers the issuer of the certificate the server presented
 * before judging it: a certificate that fails validation (an intercepting proxy's) still shows
 * who issued it. One per probe.
 */
final class IssuerTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager inner;
    private volatile String issuer;

    IssuerTrust(X509ExtendedTrustManager inner) {
        this.inner = inner;
    }

    /** The issuer (RFC 2253) of the server's certificate, or null if none was presented. */
    String issuer() {
        return issuer;
    }

    private void seen(X509Certificate[] chain) {
        if (chain != null && chain.length > 0 && chain[0] != null) {
            issuer = chain[0].getIssuerX500Principal().getName(X500Principal.RFC2253);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        seen(chain);
        inner.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        seen(chain);
        inner.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        seen(chain);
        inner.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a probe is never a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a probe is never a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a probe is never a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return inner.getAcceptedIssuers();
    }
}
