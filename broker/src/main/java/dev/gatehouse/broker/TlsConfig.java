package dev.gatehouse.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The server side of TLS for a listener: its certificate chain and key, and whether clients must
 * present certificates. Only TLS 1.3 and 1.2 are offered.
 *
 * @param keyStore      the server identity: PEM files or a PKCS#12 store
 * @param clientAuth    whether clients present certificates
 * @param trustedCas    PEM bundle of CAs that client certificates must chain to (needed unless {@code NONE})
 * @param protocols     the TLS versions offered, newest first
 */
public record TlsConfig(KeyMaterial keyStore, ClientAuth clientAuth, Optional<Path> trustedCas,
                        List<String> protocols) {

    /** Client certificate policy. */
    public enum ClientAuth {
        /** Never ask for a client certificate. */
        NONE,
        /** Ask; a client without one still connects, a client with an untrusted one does not. */
        OPTIONAL,
        /** Refuse the handshake without a trusted client certificate. */
        REQUIRED
    }

    /** Where the server's certificate and private key come from. */
    public sealed interface KeyMaterial {
    }

    /**
     * PEM files: the certificate chain (leaf first) and an unencrypted PKCS#8 private key
     * ({@code BEGIN PRIVATE KEY}).
     */
    public record Pem(Path certificateChain, Path privateKey) implements KeyMaterial {
        public Pem {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /** A PKCS#12 store holding one private key entry with its chain. */
    public record Pkcs12(Path file, char[] password) implements KeyMaterial {
        public Pkcs12 {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Pkcs12[file=" + file + ", password=***]";
        }
    }

    public TlsConfig {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(trustedCas, "trustedCas");
        protocols = List.copyOf(protocols);
        for (String p : protocols) {
            if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
                throw new IllegalArgumentException("only TLSv1.3 and TLSv1.2 are allowed, not " + p);
            }
        }
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS protocol is needed");
        }
        if (clientAuth != ClientAuth.NONE && trustedCas.isEmpty()) {
            throw new IllegalArgumentException("client certificates need a trusted CA bundle");
        }
    }

    /** TLS 1.3 and 1.2 with this identity and no client certificates. */
    public static TlsConfig of(KeyMaterial keyStore) {
        return new TlsConfig(keyStore, ClientAuth.NONE, Optional.empty(), List.of("TLSv1.3", "TLSv1.2"));
    }

    /** A copy that asks for client certificates issued by the CAs in {@code caBundle}. */
    public TlsConfig withClientAuth(ClientAuth auth, Path caBundle) {
        return new TlsConfig(keyStore, auth, Optional.of(caBundle), protocols);
    }
}
