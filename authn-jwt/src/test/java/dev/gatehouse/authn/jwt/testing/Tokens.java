package dev.gatehouse.authn.jwt.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Mints tokens for tests, and forges the malformed ones of the attack catalogue. */
public final class Tokens {
    private Tokens() {
    }

    /** A builder with {@code sub} and {@code exp} = now + 1 h by {@code clock}. */
    public static JWTCreator.Builder token(Clock clock, String sub) {
        Instant now = clock.instant();
        return JWT.create().withSubject(sub).withIssuedAt(now).withExpiresAt(now.plus(Duration.ofHours(1)));
    }

    public static String sign(JWTCreator.Builder b, Algorithm alg) {
        return b.sign(alg);
    }

    public static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** header.payload with no signature at all. */
    public static String unsigned(String headerJson, String payloadJson) {
        return b64(headerJson) + "." + b64(payloadJson) + ".";
    }

    /** header.payload signed with HMAC-SHA256 over {@code key} by hand (the key confusion attack). */
    public static String hs256(String headerJson, String payloadJson, byte[] key) {
        try {
            String signingInput = b64(headerJson) + "." + b64(payloadJson);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A payload with sub and exp an hour after {@code clock}'s now. */
    public static String payload(Clock clock, String sub) {
        return "{\"sub\":\"" + sub + "\",\"exp\":" + (clock.instant().getEpochSecond() + 3600) + "}";
    }
}
