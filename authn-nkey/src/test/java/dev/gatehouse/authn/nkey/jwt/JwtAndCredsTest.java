package dev.gatehouse.authn.nkey.jwt;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.nkey.client.CredsFile;
import dev.gatehouse.authn.nkey.client.NKeyIdentity;
import dev.gatehouse.authn.nkey.codec.NKeyPair;
import dev.gatehouse.authn.nkey.codec.NKeyType;
import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.support.JwtUtils;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtAndCredsTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void jnatsUserJwtDecodesWithItsClaims() throws Exception {
        NKey account = NKey.createAccount(RANDOM);
        NKey user = NKey.createUser(RANDOM);
        JwtUtils.UserClaim claim = new JwtUtils.UserClaim(new String(account.getPublicKey()))
                .pub(new JwtUtils.Permission().allow("a.>").deny("a.b")).src("10.0.0.0/8").bearerToken(true)
                .allowedConnectionTypes("MQTT").tags("site:x");
        String token = JwtUtils.issueUserJWT(account, new String(user.getPublicKey()), "dev", null,
                JwtUtils.currentTimeSeconds(), null, claim);
        NatsJwt jwt = NatsJwt.decode(token).verifySignature();
        UserClaims u = UserClaims.from(jwt);
        assertThat(jwt.version()).isEqualTo(2);
        assertThat(u.subject()).isEqualTo(new String(user.getPublicKey()));
        assertThat(u.account()).isEqualTo(new String(account.getPublicKey()));
        assertThat(u.permissions().pub().allow()).contains(List.of("a.>"));
        assertThat(u.permissions().pub().deny()).containsExactly("a.b");
        assertThat(u.permissions().sub().isEmpty()).isTrue();
        assertThat(u.src()).containsExactly("10.0.0.0/8");
        assertThat(u.bearerToken()).isTrue();
        assertThat(u.allowedConnectionTypes()).containsExactly("MQTT");
        assertThat(u.tags()).containsExactly("site:x");
    }

    @Test
    void ourIssuedJwtVerifiesWithJnatsKeys() throws Exception {
        NKey account = NKey.createAccount(RANDOM);
        NKeyPair signer = NKeyPair.fromSeed(new String(account.getSeed()), NKeyType.ACCOUNT);
        String token = JwtIssuer.issue(signer, Map.of("sub", "UXYZ", "iat", 1L), Map.of("type", "user", "version", 2));
        String[] parts = token.split("\\.");
        assertThat(NKey.fromPublicKey(account.getPublicKey())
                .verify((parts[0] + "." + parts[1]).getBytes(US_ASCII), Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        NatsJwt jwt = NatsJwt.decode(token).verifySignature();
        assertThat(jwt.claims().get("jti")).asString().hasSize(52);
        assertThat(jwt.header()).containsEntry("alg", "ed25519-nkey");
    }

    @Test
    void malformedJwtsAreRejected() throws Exception {
        NKey account = NKey.createAccount(RANDOM);
        NKey user = NKey.createUser(RANDOM);
        String token = JwtUtils.issueUserJWT(account, new String(account.getPublicKey()), new String(user.getPublicKey()));
        String[] p = token.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        assertThatThrownBy(() -> NatsJwt.decode("a.b")).isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> NatsJwt.decode(b64.encodeToString("{\"typ\":\"JWT\",\"alg\":\"HS256\"}".getBytes(UTF_8))
                + "." + p[1] + "." + p[2])).hasMessageContaining("alg");
        assertThatThrownBy(() -> NatsJwt.decode(p[0] + "." + b64.encodeToString("[1]".getBytes(UTF_8)) + "." + p[2]))
                .hasMessageContaining("JSON");
        assertThatThrownBy(() -> NatsJwt.decode(p[0] + "." + p[1] + "." + b64.encodeToString(new byte[64])).verifySignature())
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> AccountClaims.from(NatsJwt.decode(token))).hasMessageContaining("account");
    }

    @Test
    void credsInteroperateWithJnats() throws Exception {
        NKey account = NKey.createAccount(RANDOM);
        NKey user = NKey.createUser(RANDOM);
        String jwt = JwtUtils.issueUserJWT(account, new String(account.getPublicKey()), new String(user.getPublicKey()));
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);

        // theirs -> ours
        NKeyIdentity ours = CredsFile.parse(String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt, new String(user.getSeed())));
        assertThat(user.verify(nonce, ours.sign(nonce))).isTrue();
        assertThat(new String(ours.authenticationData(), US_ASCII)).isEqualTo(jwt);

        // ours -> theirs
        AuthHandler theirs = Nats.staticCredentials(CredsFile.format(jwt, user.getSeed()).getBytes(UTF_8));
        assertThat(new String(theirs.getJWT())).isEqualTo(jwt);
        assertThat(ours.sign(nonce)).isEqualTo(theirs.sign(nonce));

        assertThatThrownBy(() -> CredsFile.parse("-----BEGIN NATS USER JWT-----\nabc\n------END NATS USER JWT------\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
