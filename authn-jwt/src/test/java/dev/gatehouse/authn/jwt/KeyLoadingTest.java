package dev.gatehouse.authn.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.jwt.jwks.JwkParser;
import dev.gatehouse.authn.jwt.jwks.JwksException;
import dev.gatehouse.authn.jwt.keys.EcCurve;
import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;
import dev.gatehouse.authn.jwt.keys.KeyMaterial;
import dev.gatehouse.authn.jwt.keys.PemKeys;
import dev.gatehouse.authn.jwt.keys.Secrets;
import dev.gatehouse.authn.jwt.keys.VerificationKey;
import dev.gatehouse.authn.jwt.testing.Jwks;
import dev.gatehouse.authn.jwt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PEM, PKCS#1, JWK and secret loading, and which algorithms each key may verify. */
class KeyLoadingTest {
    static KeyPair rsa;

    @BeforeAll
    static void keys() {
        rsa = TestKeys.rsa();
    }

    @Test
    void readsRsaEcAndEd25519PublicKeysFromPem() {
        KeyMaterial r = PemKeys.read(TestKeys.publicPem(rsa)).get(0);
        assertThat(r).isInstanceOf(KeyMaterial.RsaPublic.class);
        assertThat(r.fits(JwtAlgorithm.RS256)).isTrue();
        assertThat(r.fits(JwtAlgorithm.PS512)).isTrue();
        assertThat(r.fits(JwtAlgorithm.HS256)).as("an RSA key is never an HMAC secret").isFalse();
        assertThat(r.fits(JwtAlgorithm.ES256)).isFalse();

        for (var c : List.of(List.of("secp256r1", EcCurve.P_256), List.of("secp384r1", EcCurve.P_384),
                List.of("secp521r1", EcCurve.P_521))) {
            KeyMaterial ec = PemKeys.read(TestKeys.publicPem(TestKeys.ec((String) c.get(0)))).get(0);
            assertThat(ec).isInstanceOfSatisfying(KeyMaterial.EcPublic.class,
                    e -> assertThat(e.curve()).isEqualTo(c.get(1)));
            EcCurve curve = (EcCurve) c.get(1);
            for (JwtAlgorithm a : List.of(JwtAlgorithm.ES256, JwtAlgorithm.ES384, JwtAlgorithm.ES512)) {
                assertThat(ec.fits(a)).as("%s on %s", a, curve).isEqualTo(a == curve.algorithm());
            }
        }

        TestKeys.Ed25519 ed = TestKeys.ed25519();
        KeyMaterial e = PemKeys.read(ed.publicPem()).get(0);
        assertThat(e).isInstanceOfSatisfying(KeyMaterial.Ed25519Public.class,
                k -> assertThat(k.raw()).isEqualTo(ed.publicKey()));
        assertThat(e.fits(JwtAlgorithm.EdDSA)).isTrue();
    }

    @Test
    void readsPkcs1RsaAndSeveralBlocks() throws Exception {
        RSAPublicKey pub = (RSAPublicKey) rsa.getPublic();
        byte[] pkcs1 = new org.bouncycastle.asn1.pkcs.RSAPublicKey(pub.getModulus(), pub.getPublicExponent()).getEncoded();
        KeyMaterial k = PemKeys.read(TestKeys.pem("RSA PUBLIC KEY", pkcs1)).get(0);
        assertThat(((KeyMaterial.RsaPublic) k).key().getModulus()).isEqualTo(pub.getModulus());

        String two = TestKeys.publicPem(rsa) + "\n" + TestKeys.publicPem(TestKeys.ec("secp256r1"));
        assertThat(PemKeys.read(two)).hasSize(2);
    }

    @Test
    void refusesPrivateKeysGarbageAndUnknownBlocks() {
        String priv = TestKeys.pem("PRIVATE KEY", rsa.getPrivate().getEncoded());
        assertThatThrownBy(() -> PemKeys.read(priv)).hasMessageContaining("private key");
        assertThatThrownBy(() -> PemKeys.read("hello")).hasMessageContaining("no PEM block");
        assertThatThrownBy(() -> PemKeys.read(TestKeys.pem("PUBLIC KEY", new byte[] {1, 2, 3})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PemKeys.read(TestKeys.pem("DH PARAMETERS", new byte[] {1})))
                .hasMessageContaining("unsupported PEM block");
    }

    @Test
    void secretsAreRawOrBase64AndAtLeastAsLongAsTheHash() {
        byte[] s = TestKeys.secret(64);
        assertThat(Secrets.decode(Base64.getEncoder().encodeToString(s), true, Set.of(JwtAlgorithm.HS512)).length())
                .isEqualTo(64);
        assertThat(Secrets.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(s), true,
                Set.of(JwtAlgorithm.HS512)).secret()).isEqualTo(s);
        String raw = "0123456789abcdef0123456789abcdef";
        assertThat(Secrets.decode(raw, false, Set.of(JwtAlgorithm.HS256)).secret())
                .isEqualTo(raw.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Secrets.decode(raw, false, Set.of(JwtAlgorithm.HS384)))
                .hasMessageContaining("48 bytes");
        assertThatThrownBy(() -> Secrets.decode("short", false, Set.of())).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> Secrets.decode("not base64!!", true, Set.of())).hasMessageContaining("base64");
        KeyMaterial.HmacSecret h = Secrets.decode(raw, false, Set.of());
        assertThat(h.fits(JwtAlgorithm.HS256)).isTrue();
        assertThat(h.fits(JwtAlgorithm.HS512)).as("a 32-byte secret never verifies HS512").isFalse();
        assertThat(h.toString()).doesNotContain(raw);
    }

    @Test
    void parsesJwkSetsKeepingOnlyPublicSigningKeys() throws Exception {
        KeyPair ec = TestKeys.ec("secp384r1");
        TestKeys.Ed25519 ed = TestKeys.ed25519();
        String json = Jwks.set()
                .rsa("r1", rsa.getPublic())
                .ec("e1", "P-384", ec.getPublic())
                .ed25519("d1", ed.publicKey())
                .raw("{\"kty\":\"oct\",\"kid\":\"h1\",\"k\":\"c2VjcmV0\"}")
                .raw("{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}")
                .raw("{\"kty\":\"RSA\",\"kid\":\"short\",\"n\":\"" + Jwks.b64(TestKeys.rsa(1024).getPublic() instanceof java.security.interfaces.RSAPublicKey k
                        ? k.getModulus().toByteArray() : new byte[0]) + "\",\"e\":\"AQAB\"}")
                .raw("{\"kty\":\"RSA\",\"kid\":\"wrongalg\",\"alg\":\"ES256\",\"n\":\"AQAB\",\"e\":\"AQAB\"}")
                .raw("{\"kty\":\"EC\",\"kid\":\"badcrv\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\"}")
                .json();
        List<VerificationKey> keys = new JwkParser().parse(json.getBytes(StandardCharsets.UTF_8), "test");
        assertThat(keys).extracting(k -> k.kid().orElseThrow()).containsExactly("r1", "e1", "d1");
        assertThat(keys.get(0).supports(JwtAlgorithm.RS256)).isTrue();
        assertThat(keys.get(1).supports(JwtAlgorithm.ES384)).isTrue();
        assertThat(keys.get(1).supports(JwtAlgorithm.ES256)).isFalse();
        assertThat(keys.get(2).supports(JwtAlgorithm.EdDSA)).isTrue();

        String restricted = Jwks.set().raw("{\"kty\":\"RSA\",\"kid\":\"r\",\"alg\":\"RS512\",\"n\":\""
                + Jwks.b64(((java.security.interfaces.RSAPublicKey) rsa.getPublic()).getModulus().toByteArray())
                + "\",\"e\":\"AQAB\"}").json();
        VerificationKey r = new JwkParser().parse(restricted.getBytes(StandardCharsets.UTF_8), "test").get(0);
        assertThat(r.supports(JwtAlgorithm.RS512)).isTrue();
        assertThat(r.supports(JwtAlgorithm.RS256)).as("a JWK's alg restricts it").isFalse();

        assertThatThrownBy(() -> new JwkParser().parse("[]".getBytes(StandardCharsets.UTF_8), "t"))
                .isInstanceOf(JwksException.class);
        assertThatThrownBy(() -> new JwkParser().parse("nope".getBytes(StandardCharsets.UTF_8), "t"))
                .isInstanceOf(JwksException.class);
    }
}
