package dev.gatehouse.authn.nkey.jwt;

import dev.gatehouse.authn.nkey.codec.Base32;
import dev.gatehouse.authn.nkey.codec.NKeyPair;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and signs v2 NATS JWTs ({@code alg: ed25519-nkey}, signature over {@code header.payload}),
 * for tools and tests. The {@code jti} is base32 of SHA-512/256 over the claims with an empty jti,
 * as the Go library computes it (servers never recompute it).
 */
public final class JwtIssuer {
    private static final String HEADER = b64(Json.write(Map.of("typ", "JWT", "alg", NatsJwt.ALG)));

    private JwtIssuer() {
    }

    /**
     * Sign a JWT whose claims are {@code standard} (iat, exp, nbf, name, sub …) plus {@code nats};
     * {@code iss} is set to the signer's public key.
     */
    public static String issue(NKeyPair signer, Map<String, Object> standard, Map<String, Object> nats) {
        Map<String, Object> claims = new LinkedHashMap<>(standard);
        claims.put("iss", signer.publicKey().encoded());
        claims.put("nats", nats);
        claims.put("jti", "");
        claims.put("jti", jti(Json.write(claims)));
        String body = b64(Json.write(claims));
        String signingInput = HEADER + "." + body;
        byte[] sig = signer.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    private static String jti(String json) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-512/256");
            return Base32.encode(md.digest(json.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
