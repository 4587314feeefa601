package dev.gatehouse.authn.jwt;

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.authn.jwt.cache.VerifiedTokenCache;
import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;
import dev.gatehouse.authn.jwt.keys.KeyLookup;
import dev.gatehouse.authn.jwt.keys.KeySource;
import dev.gatehouse.authn.jwt.keys.VerificationKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Checks a token's shape, pins its algorithm to the configured set, finds the key and verifies the
 * signature. The header only selects among configured algorithms and keys: {@code alg: none}, algorithms
 * outside the set, {@code crit} headers and key-bearing headers ({@code jwk}, {@code jku}, {@code x5u},
 * {@code x5c}) never widen what verifies. RSA, EC and EdDSA signatures are checked on the blocking
 * executor; HMAC inline.
 */
public final class TokenVerifier {
    private static final int MAX_KID_LENGTH = 256;

    private final Set<JwtAlgorithm> allowed;
    private final KeySource keys;
    private final VerifiedTokenCache cache;
    private final Executor blocking;
    private final int maxTokenBytes;

    public TokenVerifier(Set<JwtAlgorithm> allowed, KeySource keys, VerifiedTokenCache cache, Executor blocking,
                         int maxTokenBytes) {
        this.allowed = Set.copyOf(allowed);
        this.keys = keys;
        this.cache = cache;
        this.blocking = blocking;
        this.maxTokenBytes = maxTokenBytes;
    }

    /** Verify {@code token}; the stage never fails exceptionally. */
    public CompletionStage<Verification> verify(String token) {
        if (token.length() > maxTokenBytes) {
            return done(reject(RefusalKind.MALFORMED, "token longer than " + maxTokenBytes + " bytes", null));
        }
        long generation = keys.generation();
        ByteBuffer cacheKey = VerifiedTokenCache.keyOf(token);
        Optional<VerifiedTokenCache.Entry> cached = cache.get(cacheKey, generation);
        if (cached.isPresent()) {
            return done(new Verification.Verified(cached.get().jwt(), true));
        }
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            return done(reject(RefusalKind.MALFORMED, "not a JWS compact token", null));
        }
        String algName = jwt.getAlgorithm();
        Optional<JwtAlgorithm> alg = JwtAlgorithm.fromHeader(algName);
        if (alg.isEmpty() || !allowed.contains(alg.get())) {
            return done(reject(RefusalKind.ALGORITHM_NOT_ALLOWED, "alg " + (algName == null ? "missing"
                    : Refusal.safe(algName)) + " is not among the configured " + allowed, jwt));
        }
        if (!jwt.getHeaderClaim("crit").isMissing()) {
            return done(reject(RefusalKind.MALFORMED, "crit header parameters are not supported", jwt));
        }
        Claim kidClaim = jwt.getHeaderClaim("kid");
        Optional<String> kid = Optional.empty();
        if (!kidClaim.isMissing() && !kidClaim.isNull()) {
            String k = kidClaim.asString();
            if (k == null || k.isEmpty() || k.length() > MAX_KID_LENGTH || !printable(k)) {
                return done(reject(RefusalKind.MALFORMED, "kid is not a short printable string", jwt));
            }
            kid = Optional.of(k);
        }
        if (jwt.getSignature().isEmpty()) {
            return done(reject(RefusalKind.BAD_SIGNATURE, "signature is empty", jwt));
        }
        JwtAlgorithm a = alg.get();
        Optional<String> kidFinal = kid;
        return keys.lookup(kid, a)
                .thenCompose(found -> onKeys(found, jwt, a, kidFinal, cacheKey))
                .exceptionally(e -> reject(RefusalKind.INTERNAL_ERROR, "verification failed: " + e, jwt));
    }

    private CompletionStage<Verification> onKeys(KeyLookup found, DecodedJWT jwt, JwtAlgorithm alg,
                                                 Optional<String> kid, ByteBuffer cacheKey) {
        if (found instanceof KeyLookup.Unavailable u) {
            return done(reject(RefusalKind.KEYS_UNAVAILABLE, u.why(), jwt));
        }
        if (found instanceof KeyLookup.Unknown u) {
            return done(reject(RefusalKind.UNKNOWN_KID, u.why(), jwt));
        }
        List<VerificationKey> candidates = ((KeyLookup.Found) found).candidates();
        long generation = ((KeyLookup.Found) found).generation();
        if (alg.isCheap()) {
            return done(check(jwt, alg, kid, candidates, cacheKey, generation));
        }
        try {
            return CompletableFuture.supplyAsync(() -> check(jwt, alg, kid, candidates, cacheKey, generation), blocking);
        } catch (RejectedExecutionException e) {
            return done(reject(RefusalKind.INTERNAL_ERROR, "verification executor refused the task", jwt));
        }
    }

    private Verification check(DecodedJWT jwt, JwtAlgorithm alg, Optional<String> kid, List<VerificationKey> candidates,
                               ByteBuffer cacheKey, long generation) {
        for (VerificationKey key : candidates) {
            try {
                key.algorithm(alg).verify(jwt);
            } catch (SignatureVerificationException | IllegalArgumentException e) {
                continue;
            }
            if (keys.generation() == generation) {
                cache.put(cacheKey, jwt, key.kid().orElse(null), generation);
            }
            return new Verification.Verified(jwt, false);
        }
        return reject(RefusalKind.BAD_SIGNATURE, alg + " signature does not verify with "
                + (candidates.size() == 1 ? "the key from " + candidates.get(0).origin()
                : "any of " + candidates.size() + " candidate keys"), jwt);
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static Verification reject(RefusalKind kind, String detail, DecodedJWT jwt) {
        return new Verification.Rejected(Refusal.of(kind, detail), Optional.ofNullable(jwt));
    }

    private static CompletionStage<Verification> done(Verification v) {
        return CompletableFuture.completedFuture(v);
    }
}
