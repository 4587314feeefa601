package dev.gatehouse.authn.jwt;

import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.authn.jwt.acl.MalformedAclException;
import dev.gatehouse.authn.jwt.cache.VerifiedTokenCache;
import dev.gatehouse.authn.jwt.claims.ClaimChecker;
import dev.gatehouse.authn.jwt.keys.KeySource;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.acl.Permissions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits clients that present a valid JWT: in the password (or user name) of a CONNECT, or as the
 * authentication data of the MQTT 5 method {@code JWT}, which also lets a client re-authenticate with a
 * fresh token (AUTH 0x19) and keep its connection. The token's ACL claim becomes the connection's
 * permissions and its {@code exp} (plus leeway) the instant the broker disconnects it.
 *
 * <p>Build one with {@link JwtAuthenticatorFactory}; the key source is started by the factory.
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

    private final JwtConfig config;
    private final KeySource keys;
    private final VerifiedTokenCache cache;
    private final TokenVerifier verifier;
    private final ClaimChecker claims;
    private final Clock clock;

    public JwtAuthenticator(JwtConfig config, KeySource keys, AuthenticatorContext context) {
        this.config = config;
        this.keys = keys;
        this.clock = context.clock();
        this.cache = new VerifiedTokenCache(config.cacheSize(), config.cacheTtl(), clock);
        this.verifier = new TokenVerifier(config.algorithms(), keys, cache, context.blockingExecutor(),
                config.maxTokenBytes());
        this.claims = new ClaimChecker(config.claims());
        keys.onChange(cache::clear);
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Set<String> authenticationMethods() {
        return config.enhancedAuthMethod().map(Set::of).orElse(Set.of());
    }

    /** The cache of verified tokens (for metrics and tests). */
    public VerifiedTokenCache cache() {
        return cache;
    }

    /** Where keys come from (a {@code JwksKeySource} exposes its status), for health checks and tests. */
    public KeySource keySource() {
        return keys;
    }

    /** Ready once every key source is: a JWKS endpoint has been fetched once. */
    @Override
    public boolean ready() {
        return keys.ready();
    }

    public JwtConfig config() {
        return config;
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
        Optional<String> token;
        boolean viaMethod = request.authenticationMethod().isPresent();
        if (viaMethod) {
            if (!request.authenticationMethod().equals(config.enhancedAuthMethod())) {
                return done(AuthDecision.abstain());
            }
            token = request.authenticationData().map(d -> new String(d, StandardCharsets.UTF_8).trim())
                    .filter(t -> !t.isEmpty());
            if (token.isEmpty()) {
                return done(Refusal.of(RefusalKind.NO_TOKEN, "authentication method " + config.enhancedAuthMethod().get()
                        + " without authentication data").toFailure(Optional.empty(), Optional.empty()));
            }
        } else {
            token = config.from().extract(request);
            if (token.isEmpty()) {
                log.debug("client {}: no token in the {} field; abstaining", request.clientId(), config.from());
                return done(AuthDecision.abstain());
            }
        }
        if (config.abstainOnNonJwt() && !viaMethod && !looksLikeJwt(token.get())) {
            return done(AuthDecision.abstain());
        }
        CompletionStage<AuthDecision> decision;
        try {
            decision = verifier.verify(token.get()).thenApply(v -> decide(v, request));
        } catch (RuntimeException e) {
            log.error("client {}: token check failed unexpectedly", request.clientId(), e);
            return done(Refusal.of(RefusalKind.INTERNAL_ERROR, e.getClass().getSimpleName())
                    .toFailure(Optional.empty(), Optional.empty()));
        }
        return decision.exceptionally(e -> {
            log.error("client {}: token check failed unexpectedly", request.clientId(), e);
            return Refusal.of(RefusalKind.INTERNAL_ERROR, e.getClass().getSimpleName())
                    .toFailure(Optional.empty(), Optional.empty());
        });
    }

    private AuthDecision decide(Verification v, AuthRequest request) {
        if (v instanceof Verification.Rejected r) {
            return refuse(r.refusal(), r.unverified(), request);
        }
        DecodedJWT jwt = ((Verification.Verified) v).jwt();
        Instant now = clock.instant();
        Optional<Refusal> bad = claims.check(jwt, request, now);
        if (bad.isPresent()) {
            return refuse(bad.get(), Optional.of(jwt), request);
        }
        Permissions permissions;
        try {
            Claim acl = jwt.getClaim(config.acl().claim());
            Object value = acl.isMissing() || acl.isNull() ? null : acl.as(Object.class);
            permissions = config.acl().permissionsFor(value);
        } catch (MalformedAclException e) {
            return refuse(Refusal.of(RefusalKind.MALFORMED_ACL, "claim " + config.acl().claim() + ": " + e.getMessage()),
                    Optional.of(jwt), request);
        } catch (JWTDecodeException e) {
            return refuse(Refusal.of(RefusalKind.MALFORMED_ACL, "claim " + config.acl().claim() + " cannot be read"),
                    Optional.of(jwt), request);
        }
        String principal = principal(jwt, request);
        Map<String, String> attributes = attributes(jwt);
        Instant exp = jwt.getExpiresAtAsInstant();
        AuthDecision.Success success = exp != null && config.disconnectOnExpiry()
                ? AuthDecision.success(principal, permissions, exp.plus(config.claims().leeway()))
                : AuthDecision.success(principal, permissions);
        log.debug("client {}: token accepted for {} (kid {}, {}{})", request.clientId(), Refusal.safe(principal),
                attributes.getOrDefault("kid", "-"), request.reauthentication() ? "re-authentication, " : "",
                exp == null ? "no expiry" : "exp " + exp);
        return success.withAttributes(attributes);
    }

    private AuthDecision refuse(Refusal refusal, Optional<DecodedJWT> jwt, AuthRequest request) {
        Optional<String> sub = jwt.map(DecodedJWT::getSubject);
        Optional<String> kid = jwt.map(DecodedJWT::getKeyId);
        AuthDecision.Failure f = refusal.toFailure(sub, kid);
        log.debug("client {}: {}", request.clientId(), f.logMessage());
        return f;
    }

    private String principal(DecodedJWT jwt, AuthRequest request) {
        Claim c = jwt.getClaim(config.principalClaim());
        String p = c.isMissing() || c.isNull() ? null : c.asString();
        if (p != null && !p.isEmpty()) {
            return p;
        }
        return config.from() == TokenSource.USERNAME ? request.clientId() : request.username().orElse(request.clientId());
    }

    private static Map<String, String> attributes(DecodedJWT jwt) {
        Map<String, String> out = new LinkedHashMap<>();
        put(out, "sub", jwt.getSubject());
        put(out, "iss", jwt.getIssuer());
        put(out, "kid", jwt.getKeyId());
        put(out, "jti", jwt.getId());
        put(out, "alg", jwt.getAlgorithm());
        return out;
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (value != null) {
            out.put(key, Refusal.safe(value));
        }
    }

    private static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first;
    }

    private static CompletionStage<AuthDecision> done(AuthDecision d) {
        return CompletableFuture.completedFuture(d);
    }

    @Override
    public void close() {
        keys.close();
        cache.clear();
    }
}
