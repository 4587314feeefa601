package dev.gatehouse.authn.nkey;

import dev.gatehouse.authn.nkey.jwt.Json;
import io.nats.client.NKey;
import io.nats.client.support.JwtUtils;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Identities made by jnats (keys, JWT signing): the independent implementation the tests trust. */
final class Nats {
    static final SecureRandom RANDOM = new SecureRandom();

    private Nats() {
    }

    static NKey operator() {
        try {
            return NKey.createOperator(RANDOM);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static NKey account() {
        try {
            return NKey.createAccount(RANDOM);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static NKey user() {
        try {
            return NKey.createUser(RANDOM);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pub(NKey k) {
        try {
            return new String(k.getPublicKey());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static char[] seed(NKey k) {
        return k.getSeed().clone();
    }

    static byte[] sign(NKey k, byte[] data) {
        try {
            return k.sign(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed operator JWT. */
    static String operatorJwt(NKey operator, List<String> signingKeys, boolean strict) {
        Map<String, Object> nats = new LinkedHashMap<>();
        nats.put("signing_keys", signingKeys);
        if (strict) {
            nats.put("strict_signing_key_usage", true);
        }
        nats.put("type", "operator");
        nats.put("version", 2);
        return issue(operator, pub(operator), "op", null, nowSeconds(), nats);
    }

    /** An account JWT signed by {@code signer} (the operator or one of its signing keys). */
    static String accountJwt(NKey signer, NKey account, Map<String, Object> extra, Duration exp, long iat) {
        Map<String, Object> nats = new LinkedHashMap<>(extra);
        nats.putIfAbsent("limits", Map.of("conn", -1, "subs", -1, "data", -1, "payload", -1));
        nats.put("type", "account");
        nats.put("version", 2);
        return issue(signer, pub(account), "acct", exp, iat, nats);
    }

    static String accountJwt(NKey signer, NKey account, Map<String, Object> extra) {
        return accountJwt(signer, account, extra, null, nowSeconds());
    }

    /** A user JWT issued by jnats' JwtUtils. */
    static String userJwt(NKey signer, NKey account, NKey user, JwtUtils.UserClaim claim, Duration exp, long iat) {
        try {
            return JwtUtils.issueUserJWT(signer, pub(user), "user-" + pub(user).substring(0, 6), exp, iat, null, claim);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String userJwt(NKey signer, NKey account, NKey user, JwtUtils.UserClaim claim) {
        return userJwt(signer, account, user, claim, null, nowSeconds());
    }

    static JwtUtils.UserClaim claim(NKey account) {
        return new JwtUtils.UserClaim(pub(account));
    }

    static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    private static String issue(NKey signer, String subject, String name, Duration exp, long iat,
                                Map<String, Object> nats) {
        try {
            String json = Json.write(nats);
            return JwtUtils.issueJWT(signer, subject, name, exp, iat, pub(signer), null, () -> json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
