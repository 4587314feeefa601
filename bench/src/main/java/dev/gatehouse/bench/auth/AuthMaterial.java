package dev.gatehouse.bench.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.authn.nkey.client.NKeyIdentity;
import dev.gatehouse.authn.nkey.codec.NKeyPair;
import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.bench.load.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Key material made fresh for one harness run (nothing is checked in or reused between runs): an HS256
 * secret, an RSA 2048 or EC P-256 key pair, or NKey user seeds. It writes the Gatehouse configuration that
 * trusts it and mints what the load generator's clients present.
 *
 * <p>The listener admits anonymous clients too, so that the scenario can measure anonymous connects on
 * the very same broker process (same JIT state, same authenticator chain, which abstains on them).
 */
public final class AuthMaterial {
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(2);
    static final String NKEY_METHOD = "NKEY";

    private final AuthKind kind;
    private final SecureRandom random;
    private final Algorithm algorithm;
    private final String keyConfig;
    private final String pemFile;
    private final String pem;
    private final List<NKeyIdentity> users;
    private final NKeyIdentity sharedUser;
    private final AtomicLong minted = new AtomicLong();
    private final String runTag;
    private String pemPath;

    private AuthMaterial(AuthKind kind, SecureRandom random, Algorithm algorithm, String keyConfig, String pemFile,
                         String pem, List<NKeyIdentity> users, NKeyIdentity sharedUser) {
        this.kind = kind;
        this.random = random;
        this.algorithm = algorithm;
        this.keyConfig = keyConfig;
        this.pemFile = pemFile;
        this.pem = pem;
        this.users = users;
        this.sharedUser = sharedUser;
        this.runTag = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }

    /**
     * Fresh material for {@code kind}; for NKey, {@code users} distinct user seeds plus one shared user,
     * every one of them configured as a static user.
     */
    public static AuthMaterial generate(AuthKind kind, int users, SecureRandom random) {
        try {
            switch (kind) {
                case JWT_HS256: {
                    byte[] secret = new byte[32];
                    random.nextBytes(secret);
                    return new AuthMaterial(kind, random, Algorithm.HMAC256(secret),
                            "algorithms = [HS256]\n      secret = \"" + Base64.getEncoder().encodeToString(secret)
                                    + "\"\n      secret-base64 = true", null, null, List.of(), null);
                }
                case JWT_RS256: {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048, random);
                    KeyPair kp = g.generateKeyPair();
                    return new AuthMaterial(kind, random, Algorithm.RSA256(null, (RSAPrivateKey) kp.getPrivate()),
                            "algorithms = [RS256]", "rs256-public.pem",
                            pem(kp.getPublic()), List.of(), null);
                }
                case JWT_ES256: {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp256r1"), random);
                    KeyPair kp = g.generateKeyPair();
                    return new AuthMaterial(kind, random, Algorithm.ECDSA256(null, (ECPrivateKey) kp.getPrivate()),
                            "algorithms = [ES256]", "es256-public.pem",
                            pem(kp.getPublic()), List.of(), null);
                }
                case NKEY: {
                    List<NKeyIdentity> ids = new ArrayList<>(users);
                    for (int i = 0; i < users; i++) {
                        ids.add(newUser(random));
                    }
                    return new AuthMaterial(kind, random, null, null, null, null, List.copyOf(ids), newUser(random));
                }
                default:
                    throw new IllegalArgumentException(kind.toString());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + kind.label() + " keys: " + e.getMessage(), e);
        }
    }

    /** A user seed made with the codec and read back through the client helper, as a device would. */
    private static NKeyIdentity newUser(SecureRandom random) {
        NKeyPair pair = NKeyPair.generate(NKeyType.USER, random);
        return NKeyIdentity.ofSeed(pair.encodedSeed());
    }

    private static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    public AuthKind kind() {
        return kind;
    }

    /** The HOCON configuration (listener address is replaced by {@code --bind}). */
    public String config() {
        StringBuilder b = new StringBuilder();
        b.append("# Written by the bench harness for one run: ").append(kind.label()).append(".\n");
        b.append("# Keys are generated per run; anonymous is allowed so the same process also measures anonymous connects.\n");
        b.append("gatehouse {\n");
        b.append("  listeners = [ { name = bench, type = tcp, bind = \"127.0.0.1:0\", anonymous = allow } ]\n");
        b.append("  authentication = [\n");
        if (kind.jwt()) {
            b.append("    {\n      type = jwt\n      from = password\n      ").append(keyConfig).append('\n');
            if (pemFile != null) {
                // Absolute: docs/configuration.md says relative key files resolve against the config file's
                // directory, but authn-jwt's public-key-file resolves against the working directory.
                b.append("      public-key-file = \"").append(pemPath).append("\"\n");
            }
            b.append("    }\n");
        } else {
            b.append("    {\n      type = nkey\n      users = [\n");
            for (int i = 0; i < users.size(); i++) {
                b.append("        { nkey = \"").append(users.get(i).publicKey()).append("\", name = \"bench-")
                        .append(i).append("\" }\n");
            }
            b.append("        { nkey = \"").append(sharedUser.publicKey()).append("\", name = \"bench-shared\" }\n");
            b.append("      ]\n    }\n");
        }
        b.append("  ]\n}\n");
        return b.toString();
    }

    /** Writes the configuration (and the PEM public key it names) into {@code dir}; returns the config file. */
    public Path writeConfig(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (pemFile != null) {
            Files.writeString(dir.resolve(pemFile), pem, StandardCharsets.US_ASCII);
        }
        pemPath = pemFile == null ? null : dir.resolve(pemFile).toAbsolutePath().toString();
        Path conf = dir.resolve(kind.id() + ".conf");
        Files.writeString(conf, config(), StandardCharsets.UTF_8);
        return conf;
    }

    /**
     * What every client presents in the shared pass: the same JWT for all (after its first connect, a
     * cache hit), or the same NKey user (a fresh nonce and signature check each time regardless).
     */
    public Credentials shared() {
        if (kind.jwt()) {
            return Credentials.password("bench", mint("shared", Instant.now()));
        }
        return nkey(sharedUser);
    }

    /**
     * One credential per client. JWTs are minted now, each with its own {@code jti}, so none has ever been
     * seen (and cached) by the broker: every connect verifies a signature. Minting runs on all cores
     * before the measured phase.
     */
    public Credentials[] distinct(int clients) {
        if (kind.jwt()) {
            Instant now = Instant.now();
            long batch = minted.getAndIncrement();
            return IntStream.range(0, clients).parallel()
                    .mapToObj(i -> Credentials.password("bench", mint(batch + "-" + i, now)))
                    .toArray(Credentials[]::new);
        }
        if (clients > users.size()) {
            throw new IllegalArgumentException(clients + " clients but only " + users.size() + " NKey users configured");
        }
        Credentials[] c = new Credentials[clients];
        for (int i = 0; i < clients; i++) {
            c[i] = nkey(users.get(i));
        }
        return c;
    }

    private byte[] mint(String id, Instant now) {
        return JWT.create()
                .withSubject("bench-" + id)
                .withJWTId(runTag + "-" + id)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(TOKEN_LIFETIME))
                .sign(algorithm)
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static Credentials nkey(NKeyIdentity id) {
        return Credentials.challenge(NKEY_METHOD, id.authenticationData(), id::sign);
    }
}
