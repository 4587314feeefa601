package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.authn.jwt.keys.Ed25519Algorithm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jwt mint} for every algorithm, verified with the public half; claims as given. */
class JwtMintTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run mint(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "jwt";
        all[1] = "mint";
        System.arraycopy(args, 0, all, 2, args.length);
        int code = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8));
    }

    private Path pkcs8(KeyPair kp, String name) throws Exception {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(kp.getPrivate().getEncoded());
        return Files.writeString(dir.resolve(name), "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void hmacFromAFileWithClaimsAudiencesKidAndAcl() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef0123456789abcdef\n");
        Run r = mint("--alg", "hs384", "--key", secret.toString(), "--sub", "dev-7", "--iss", "me", "--aud", "mqtt",
                "--aud", "other", "--kid", "k1", "--claim", "tier=2", "--claim", "name=bob", "--claim", "tags=[\"a\"]",
                "--acl-json", "[{\"permission\":\"allow\",\"action\":\"all\",\"topic\":\"devices/${clientid}/#\"}]",
                "--exp", "15m");
        assertThat(r.code()).as(r.err()).isZero();
        DecodedJWT jwt = JWT.require(Algorithm.HMAC384("0123456789abcdef0123456789abcdef0123456789abcdef"))
                .build().verify(r.out());
        assertThat(jwt.getSubject()).isEqualTo("dev-7");
        assertThat(jwt.getIssuer()).isEqualTo("me");
        assertThat(jwt.getAudience()).containsExactly("mqtt", "other");
        assertThat(jwt.getKeyId()).isEqualTo("k1");
        assertThat(jwt.getClaim("tier").asInt()).isEqualTo(2);
        assertThat(jwt.getClaim("name").asString()).isEqualTo("bob");
        assertThat(jwt.getClaim("tags").asList(String.class)).containsExactly("a");
        assertThat(jwt.getClaim("acl").asList(Map.class)).hasSize(1);
        assertThat(jwt.getExpiresAtAsInstant().getEpochSecond() - jwt.getIssuedAtAsInstant().getEpochSecond())
                .isEqualTo(900);
    }

    @Test
    void rsaEcAndEd25519PrivateKeysSignTokensTheirPublicKeysVerify() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        KeyPair rsa = rsaGen.generateKeyPair();
        Run r = mint("--alg", "RS256", "--key", pkcs8(rsa, "rsa.pem").toString(), "--sub", "a");
        assertThat(r.code()).as(r.err()).isZero();
        JWT.require(Algorithm.RSA256((RSAPublicKey) rsa.getPublic(), null)).build().verify(r.out());

        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ec = ecGen.generateKeyPair();
        Run e = mint("--alg", "ES256", "--key", pkcs8(ec, "ec.pem").toString(), "--sub", "a");
        assertThat(e.code()).as(e.err()).isZero();
        JWT.require(Algorithm.ECDSA256((ECPublicKey) ec.getPublic(), null)).build().verify(e.out());

        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Run d = mint("--alg", "EdDSA", "--key", pkcs8(ed, "ed.pem").toString(), "--sub", "a", "--exp", "none");
        assertThat(d.code()).as(d.err()).isZero();
        byte[] spki = ed.getPublic().getEncoded();
        byte[] raw = java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        DecodedJWT jwt = JWT.require(Ed25519Algorithm.verifier(raw)).build().verify(d.out());
        assertThat(jwt.getAlgorithm()).isEqualTo("EdDSA");
        assertThat(jwt.getExpiresAt()).isNull();

        Run wrong = mint("--alg", "ES256", "--key", dir.resolve("rsa.pem").toString(), "--sub", "a");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).contains("not a private key for ES256");
    }

    @Test
    void badArgumentsAreNamed() throws Exception {
        String key = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef").toString();
        assertThat(mint("--alg", "HS256", "--key", key, "--secret-env", "Y", "--sub", "a").code()).isEqualTo(2);
        assertThat(mint("--alg", "none", "--key", key, "--sub", "a").code()).isEqualTo(2);
        assertThat(mint("--alg", "RS256", "--key", dir.resolve("missing.pem").toString(), "--sub", "a").err())
                .contains("no such file: ");
        assertThat(mint("--alg", "RS256", "--key", key, "--sub", "a").err()).contains("no -----BEGIN PRIVATE KEY-----");
        assertThat(mint("--alg", "HS256", "--key", key, "--sub", "a", "--claim", "sub=b").err())
                .contains("--claim sub=...: use --sub instead");
        assertThat(mint("--alg", "HS256", "--key", key, "--sub", "a", "--claim", "novalue").err())
                .contains("--claim expects NAME=VALUE");
        assertThat(mint("--alg", "HS256", "--key", key, "--sub", "a", "--acl-json", "\"str\"").err())
                .contains("--acl-json must be a JSON object");
        assertThat(mint("--alg", "HS256", "--key", key, "--sub", "a", "--acl-json", "{nope").err())
                .contains("--acl-json is not valid JSON");
        assertThat(mint("--alg", "HS256", "--key", key, "--sub", "a", "--exp", "soon").err())
                .contains("expected a duration like 30s");
    }
}
