package dev.gatehouse.authn.jwt;

import dev.gatehouse.authn.jwt.acl.AclPolicy;
import dev.gatehouse.authn.jwt.claims.ClaimPolicy;
import dev.gatehouse.authn.jwt.jwks.JwksConfig;
import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;
import dev.gatehouse.authn.jwt.keys.VerificationKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A validated JWT authenticator configuration; {@link JwtSettingsReader} builds it from {@code Settings}.
 *
 * @param name                 the authenticator's name in logs
 * @param from                 where 3.1.1 clients (and 5.0 clients without the method) put the token
 * @param enhancedAuthMethod   the MQTT 5 authentication method carrying the token in its data, if enabled
 * @param algorithms           the only algorithms accepted
 * @param staticKeys           keys from configuration
 * @param jwks                 the JWKS endpoint, if any
 * @param claims               claim checks
 * @param acl                  how the ACL claim becomes permissions
 * @param disconnectOnExpiry   whether a connection is closed when the token expires
 * @param cacheSize            verified tokens remembered (0 disables the cache)
 * @param cacheTtl             the longest a verified token is remembered
 * @param maxTokenBytes        longer tokens are refused before parsing
 * @param principalClaim       the claim naming the principal (falls back to user name, then client id)
 * @param abstainOnNonJwt      when the credential is not JWT-shaped, let the next authenticator decide
 */
public record JwtConfig(String name, TokenSource from, Optional<String> enhancedAuthMethod,
                        Set<JwtAlgorithm> algorithms, List<VerificationKey> staticKeys, Optional<JwksConfig> jwks,
                        ClaimPolicy claims, AclPolicy acl, boolean disconnectOnExpiry, int cacheSize,
                        Duration cacheTtl, int maxTokenBytes, String principalClaim, boolean abstainOnNonJwt) {
    public static final String DEFAULT_METHOD = "JWT";

    public JwtConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(enhancedAuthMethod, "enhancedAuthMethod");
        algorithms = Set.copyOf(algorithms);
        staticKeys = List.copyOf(staticKeys);
        Objects.requireNonNull(jwks, "jwks");
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(acl, "acl");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(principalClaim, "principalClaim");
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("no algorithms");
        }
        if (staticKeys.isEmpty() && jwks.isEmpty()) {
            throw new IllegalArgumentException("no key source");
        }
    }
}
