package dev.gatehouse.authn.nkey.jwt;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The claims of a NATS account JWT that matter for admission.
 *
 * @param jwt                the verified token
 * @param subject            the account public key ({@code A…})
 * @param signingKeys        by key: plain or scoped
 * @param revocations        user key (or {@code *}) to Unix seconds: JWTs issued at or before are revoked
 * @param maxConnections     {@code limits.conn}; -1 = unlimited
 * @param disallowBearer     {@code limits.disallow_bearer}
 * @param defaultPermissions permissions of users whose JWT carries none
 * @param tags               account tags
 */
public record AccountClaims(NatsJwt jwt, String subject, Map<String, SigningKey> signingKeys,
                            Map<String, Long> revocations, long maxConnections, boolean disallowBearer,
                            Optional<NatsPermissions> defaultPermissions, java.util.List<String> tags) {

    public static AccountClaims from(NatsJwt jwt) {
        if (!"account".equals(jwt.type())) {
            throw new JwtException("expected an account JWT but got type \"" + jwt.type() + "\"");
        }
        Map<String, Object> nats = jwt.nats();
        if (jwt.version() < 2 && nats.isEmpty()) {
            nats = jwt.claims();
        }
        Map<String, SigningKey> keys = new LinkedHashMap<>();
        for (Object o : ClaimReader.list(nats, "signing_keys")) {
            if (o instanceof String s) {
                keys.put(s, new SigningKey(s, Optional.empty(), Optional.empty()));
            } else if (o instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> sk = (Map<String, Object>) m;
                String key = ClaimReader.string(sk, "key").orElseThrow(() -> new JwtException("scoped signing key without key"));
                String kind = ClaimReader.string(sk, "kind").orElse("user_scope");
                if (!"user_scope".equals(kind)) {
                    throw new JwtException("unknown signing key kind " + kind);
                }
                keys.put(key, new SigningKey(key, ClaimReader.string(sk, "role"),
                        Optional.of(NatsPermissions.from(ClaimReader.object(sk, "template")))));
            } else {
                throw new JwtException("signing_keys entries must be keys or {kind, key, template}");
            }
        }
        Map<String, Long> revocations = new HashMap<>();
        Map<String, Object> rev = ClaimReader.object(nats, "revocations");
        for (String k : rev.keySet()) {
            revocations.put(k, ClaimReader.number(rev, k, 0));
        }
        Map<String, Object> limits = ClaimReader.object(nats, "limits");
        Map<String, Object> defaults = ClaimReader.object(nats, "default_permissions");
        return new AccountClaims(jwt, jwt.subject(), Map.copyOf(keys), Map.copyOf(revocations),
                ClaimReader.number(limits, "conn", -1), ClaimReader.bool(limits, "disallow_bearer"),
                defaults.isEmpty() ? Optional.empty() : Optional.of(NatsPermissions.from(defaults)),
                ClaimReader.strings(nats, "tags"));
    }

    /** Whether a user JWT with this subject, issued at {@code issuedAt}, is revoked. */
    public boolean isRevoked(String userKey, long issuedAt) {
        Long one = revocations.get(userKey);
        Long all = revocations.get("*");
        return (one != null && one >= issuedAt) || (all != null && all >= issuedAt);
    }
}
