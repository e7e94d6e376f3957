package lnm.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.security.auth.x500.X500Principal;

import lnm.config.HostPort;
import lnm.config.IpLiteral;
import lnm.config.Key;
import lnm.config.Via;
import lnm.http.ConnectRequest;
import lnm.http.ResponseHead;
import lnm.net.ParentHeader;
import lnm.wire.ParseResult;

/**
 * The probe of one name along its route, as a device's connection would go: resolve, connect
 * (each hop of the route in turn, each address of a hop in turn), send a parent the header this
 * box sends it or ask the egress proxy for a tunnel, then a TLS handshake with the name as SNI,
 * the certificate checked against the run's trust and for the name. Blocking sockets, each step
 * limited by the run's timeout; {@link #expire} closes the socket when the name's overall limit
 * is over, which ends any step still waiting. Never throws: every failure is an {@link Outcome}.
 */
final class Probe {
    /** How the JDK words an alert it received; the alert's name follows. */
    private static final Pattern ALERT = Pattern.compile("Received fatal alert: ([a-z_0-9]+)");
    /** The alerts lnm answers a refused hello with (the reasons table of docs/CONTRACTS.md). */
    private static final List<String> REFUSALS = List.of("access_denied", "unrecognized_name", "decode_error");

    private final String name;
    private final Route route;
    private final Settings s;
    private final long start = System.nanoTime();
    /** The socket the probe reads and writes now (the TLS one once the handshake starts), closed at the end. */
    private volatile Socket socket;
    /** The TCP socket under it, which {@link #expire} closes: that ends a blocked read at once, TLS or not. */
    private volatile Socket raw;
    private volatile boolean expired;
    private volatile Step at = Step.DNS;

    Probe(String name, Route route, Settings settings) {
        this.name = name;
        this.route = route;
        this.s = settings;
    }

    /** Ends the probe: its overall limit is over. The step it is in fails. */
    void expire() {
        expired = true;
        closeQuietly(raw);
    }

    Outcome run() {
        try {
            return attempt();
        } catch (RuntimeException e) {
            return failed(route.kind().toString(), at, "internal error: " + e, null);
        } finally {
            closeQuietly(socket);
        }
    }

    private Outcome attempt() {
        Socket plain = null;
        String routeText = route.kind() + " " + route.hops().get(0);
        Step whyStep = Step.TCP;
        String why = "no address to try";
        for (HostPort hop : route.hops()) {
            if (expired) {
                break;
            }
            routeText = route.kind() + " " + hop;
            at = Step.DNS;
            InetAddress[] addresses;
            try {
                addresses = resolve(hop.host());
            } catch (IOException e) {
                whyStep = Step.DNS;
                why = hop.host() + ": " + e.getMessage();
                continue;
            }
            at = Step.TCP;
            for (int i = 0; i < addresses.length && i < Settings.MAX_ADDRESSES && !expired; i++) {
                InetSocketAddress a = new InetSocketAddress(addresses[i], hop.port());
                String forbidden = route.kind() == Route.Kind.DIRECT ? s.guard().forbidden(addresses[i]) : null;
                if (forbidden != null) {
                    // lnm refuses such an address (destination_forbidden) before it dials.
                    routeText = route.kind() + " " + IpLiteral.format(a);
                    whyStep = Step.POLICY;
                    why = "refused here (destination_forbidden): " + IpLiteral.format(addresses[i]) + " is " + forbidden;
                    continue;
                }
                routeText = route.kind() + " " + IpLiteral.format(a);
                Socket sk = new Socket();
                socket = sk;
                raw = sk;
                if (expired) {
                    closeQuietly(sk);
                    break;
                }
                try {
                    sk.connect(a, s.timeoutMillis());
                    plain = sk;
                    break;
                } catch (SocketTimeoutException e) {
                    closeQuietly(sk);
                    whyStep = Step.TCP;
                    why = IpLiteral.format(a) + ": no answer within " + s.timeoutMillis() + "ms";
                } catch (IOException e) {
                    closeQuietly(sk);
                    whyStep = Step.TCP;
                    why = IpLiteral.format(a) + ": " + message(e);
                }
            }
            if (plain != null) {
                break;
            }
        }
        if (plain == null) {
            return failed(routeText, expired ? at : whyStep, expired ? overLimit() : why, null);
        }
        return overConnection(plain, routeText);
    }

    private Outcome overConnection(Socket plain, String routeText) {
        IssuerTrust trust = new IssuerTrust(s.trust());
        try {
            plain.setSoTimeout(s.timeoutMillis());
            plain.setTcpNoDelay(true);
            if (route.kind() == Route.Kind.PARENT) {
                InetSocketAddress local = (InetSocketAddress) plain.getLocalSocketAddress();
                byte[] header = ParentHeader.of(s.config(), Via.PARENT, local, new InetSocketAddress(local.getAddress(), s.port()));
                plain.getOutputStream().write(header);
            } else if (route.kind() == Route.Kind.PROXY) {
                at = Step.PROXY;
                String refused = openTunnel(plain);
                if (refused != null) {
                    return failed(routeText, Step.PROXY, refused, null);
                }
            }
            at = Step.TLS;
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trust}, null);
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, name, s.port(), true);
            socket = tls;
            SSLParameters p = tls.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(name)));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(p);
            tls.setSoTimeout(s.timeoutMillis());
            if (expired) {
                return failed(routeText, at, overLimit(), null);
            }
            tls.startHandshake();
            Certificate[] chain = tls.getSession().getPeerCertificates();
            String issuer = chain.length > 0 && chain[0] instanceof X509Certificate x
                    ? x.getIssuerX500Principal().getName(X500Principal.RFC2253) : trust.issuer();
            return new Outcome(name, routeText, Outcome.Result.OK, Step.TLS, elapsed(), "", issuer);
        } catch (SSLException e) {
            return handshakeFailed(routeText, e, trust.issuer());
        } catch (SocketTimeoutException e) {
            return failed(routeText, at, expired ? overLimit() : "no answer within " + s.timeoutMillis() + "ms", trust.issuer());
        } catch (IOException e) {
            if (!expired && at == Step.TLS && route.kind() == Route.Kind.PARENT && trust.issuer() == null) {
                // reset or closed before any certificate: the level above ended it, not the endpoint
                return closedAbove(routeText);
            }
            return failed(routeText, at, expired ? overLimit() : message(e), trust.issuer());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return failed(routeText, at, message(e), null);
        }
    }

    /** Asks the proxy for a tunnel to the name; null when it answered 2xx, else why not. */
    private String openTunnel(Socket plain) throws IOException {
        OutputStream out = plain.getOutputStream();
        out.write(ConnectRequest.format(name, s.port(), Route.egressProxyToken(s.config())));
        out.flush();
        InputStream in = plain.getInputStream();
        byte[] head = new byte[ResponseHead.MAX_BYTES];
        int n = 0;
        // One byte at a time, so that nothing after the head (the tunnel's first bytes) is read
        // here; at most MAX_BYTES reads, each limited by the socket's timeout.
        while (n < head.length) {
            int b = in.read();
            if (b < 0) {
                return "the proxy closed the connection " + (n == 0 ? "without an answer" : "in the middle of its answer");
            }
            head[n++] = (byte) b;
            if (b != '\n') {
                continue;
            }
            ParseResult<ResponseHead> r = ResponseHead.parse(ByteBuffer.wrap(head, 0, n), head.length);
            if (r instanceof ParseResult.Parsed<ResponseHead> parsed) {
                ResponseHead h = parsed.value();
                return h.success() ? null : "the proxy answered " + h.statusLine();
            }
            if (r instanceof ParseResult.Invalid<ResponseHead> bad) {
                return "the proxy's answer is not an HTTP response: " + bad.detail();
            }
        }
        return "the proxy's answer is longer than " + head.length + " bytes";
    }

    private Outcome handshakeFailed(String routeText, SSLException e, String issuer) {
        if (expired) {
            return failed(routeText, Step.TLS, overLimit(), issuer);
        }
        String m = message(e);
        if (route.kind() == Route.Kind.PARENT) {
            Matcher alert = ALERT.matcher(m);
            if (alert.find() && REFUSALS.contains(alert.group(1))) {
                return failed(routeText, Step.LEVEL, "refused by " + above() + ": TLS alert " + alert.group(1), issuer);
            }
            if (alert.find(0) && alert.group(1).equals("internal_error")) {
                return failed(routeText, Step.LEVEL, "not reached by " + above() + ": TLS alert internal_error"
                        + " (dns_failed, upstream_unreachable or a timeout there: see its audit log)", issuer);
            }
            if (issuer == null && m.toLowerCase(Locale.ROOT).contains("terminated the handshake")) {
                return closedAbove(routeText);
            }
        }
        return failed(routeText, Step.TLS, m, issuer);
    }

    private Outcome closedAbove(String routeText) {
        return failed(routeText, Step.LEVEL, "closed without an alert by " + above()
                + " (a limit, or a PROXY header it does not accept: see its audit log)", null);
    }

    /**
     * Which level answered for the parent: the alert does not say which of the levels above
     * refused, so this names the parent's level (this box's {@code level} plus one, when the
     * config sets it) and says it may be one beyond it; a probe run on the parent tells the two
     * apart.
     */
    private String above() {
        int level = s.config().level();
        // without an explicit level the default says nothing about where this box stands
        return s.config().isSet(Key.LEVEL) && level < 5 ? "level " + (level + 1) + " (the parent) or a level above it"
                : "the parent or a level above it";
    }

    private InetAddress[] resolve(String host) throws IOException {
        InetAddress literal = IpLiteral.address(host);
        if (literal != null) {
            return new InetAddress[] {literal};
        }
        Future<InetAddress[]> f = s.lookups().submit(() -> s.lookup().resolve(host));
        try {
            InetAddress[] a = f.get(s.timeoutMillis(), TimeUnit.MILLISECONDS);
            if (a == null || a.length == 0) {
                throw new IOException("no address");
            }
            return a;
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("no answer within " + s.timeoutMillis() + "ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IOException(c instanceof java.net.UnknownHostException ? "does not resolve" : message(c));
        }
    }

    private String overLimit() {
        return "gave up at the overall limit of " + s.overallMillis() + "ms";
    }

    private Outcome failed(String routeText, Step step, String detail, String issuer) {
        return new Outcome(name, routeText, Outcome.Result.FAILED, step, elapsed(), detail, issuer);
    }

    private long elapsed() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(Socket sk) {
        if (sk != null) {
            try {
                sk.close();
            } catch (IOException ignored) {
                // closing is all that is asked; a failure to close changes nothing for the probe
            }
        }
    }
}
