package lnm.tls;

/** Lets tests of other packages capture a JDK client's hello and fingerprint it as lnm does. */
public final class RealClientJa4TestAccess {
    private RealClientJa4TestAccess() {}

    /** The ClientHello of the JDK's SSLSocket with SNI {@value RealClientJa4Test#NAME} and ALPN h2, http/1.1. */
    public static byte[] captureJavaSocket() throws Exception {
        return RealClientJa4Test.capture(RealClientJa4Test::javaSocket);
    }

    /** lnm's JA4 of {@code hello}. */
    public static String ja4(byte[] hello) {
        return RealClientJa4Test.ja4(hello);
    }
}
