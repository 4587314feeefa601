package dev.gatehouse.authn.jwt.jwks;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Fetches a JWK Set over HTTP(S) with the JDK client: connect and read timeouts, an optional CA bundle,
 * no redirects (a key set is never taken from where a redirect points) and a size limit.
 */
public final class HttpJwksFetcher implements JwksFetcher {
    private final JwksConfig config;
    private final HttpClient client;

    public HttpJwksFetcher(JwksConfig config) {
        this.config = config;
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY);
        if (config.caFile().isPresent()) {
            b.sslContext(sslContext(config));
        }
        this.client = b.build();
    }

    @Override
    public byte[] fetch() throws JwksException {
        HttpRequest request = HttpRequest.newBuilder(config.url())
                .timeout(config.connectTimeout().plus(config.readTimeout()))
                .header("Accept", "application/json, application/jwk-set+json")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new JwksException("timed out");
        } catch (IOException e) {
            throw new JwksException(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JwksException("interrupted");
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new JwksException("HTTP " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(config.maxBytes() + 1);
            if (bytes.length > config.maxBytes()) {
                throw new JwksException("key set larger than " + config.maxBytes() + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new JwksException("reading the response failed: " + e.getMessage());
        }
    }

    private static SSLContext sslContext(JwksConfig config) {
        var file = config.caFile().orElseThrow();
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + file);
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load CA bundle " + file + ": " + e.getMessage());
        }
    }
}
