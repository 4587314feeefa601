package dev.gatehouse.broker.transport;

import dev.gatehouse.broker.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;

/** Turns a {@link TlsConfig} into a Netty server {@link SslContext}, with errors that name the file. */
final class TlsContexts {
    private TlsContexts() {
    }

    static SslContext server(String listener, TlsConfig tls) throws IOException {
        try {
            SslContextBuilder b;
            if (tls.keyStore() instanceof TlsConfig.Pem pem) {
                b = SslContextBuilder.forServer(pem.certificateChain().toFile(), pem.privateKey().toFile());
            } else {
                TlsConfig.Pkcs12 p12 = (TlsConfig.Pkcs12) tls.keyStore();
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(p12.file())) {
                    ks.load(in, p12.password());
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, p12.password());
                b = SslContextBuilder.forServer(kmf);
            }
            if (tls.trustedCas().isPresent()) {
                b.trustManager(tls.trustedCas().get().toFile());
            }
            b.clientAuth(switch (tls.clientAuth()) {
                case NONE -> ClientAuth.NONE;
                case OPTIONAL -> ClientAuth.OPTIONAL;
                case REQUIRED -> ClientAuth.REQUIRE;
            });
            return b.sslProvider(SslProvider.JDK).protocols(tls.protocols()).build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("listener " + listener + ": cannot load TLS material (" + tls.keyStore() + "): "
                    + e.getMessage(), e);
        }
    }
}
