package dev.gatehouse.authn.nkey.jwt;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A trusted operator: its identity key, its signing keys and whether the identity key itself may
 * sign accounts ({@code strict_signing_key_usage} forbids it).
 */
public record OperatorClaims(String subject, Set<String> signingKeys, boolean strictSigningKeyUsage,
                             long expires) {
    public OperatorClaims {
        signingKeys = Set.copyOf(signingKeys);
    }

    /** An operator known only by its public key. */
    public static OperatorClaims ofKey(String operatorKey) {
        return new OperatorClaims(operatorKey, Set.of(), false, 0);
    }

    /** From a self-signed operator JWT (signature already verified). */
    public static OperatorClaims from(NatsJwt jwt) {
        if (!"operator".equals(jwt.type())) {
            throw new JwtException("expected an operator JWT but got type \"" + jwt.type() + "\"");
        }
        Set<String> keys = new LinkedHashSet<>(ClaimReader.strings(jwt.nats(), "signing_keys"));
        if (!jwt.issuer().equals(jwt.subject()) && !keys.contains(jwt.issuer())) {
            throw new JwtException("operator JWT must be signed by the operator or one of its signing keys");
        }
        return new OperatorClaims(jwt.subject(), keys, ClaimReader.bool(jwt.nats(), "strict_signing_key_usage"),
                jwt.expires());
    }

    /** Whether {@code key} may sign account JWTs for this operator. */
    public boolean maySignAccounts(String key) {
        return signingKeys.contains(key) || (!strictSigningKeyUsage && subject.equals(key));
    }
}
