package dev.gatehouse.authn.nkey.jwt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The claims of a NATS user JWT that matter for admission.
 *
 * @param jwt                    the verified token
 * @param subject                the user's public key ({@code U…})
 * @param issuer                 the signing key ({@code A…}: the account or one of its signing keys)
 * @param issuerAccount          {@code nats.issuer_account}, set when a signing key issued the JWT
 * @param permissions            {@code pub}/{@code sub}
 * @param src                    allowed source CIDRs (empty = any)
 * @param times                  allowed daily windows (empty = any time)
 * @param timesLocation          IANA zone of the windows, if set
 * @param bearerToken            whether no nonce signature is required
 * @param allowedConnectionTypes empty = all types
 * @param tags                   user tags (for scoped-key templates)
 */
public record UserClaims(NatsJwt jwt, String subject, String issuer, Optional<String> issuerAccount,
                         NatsPermissions permissions, List<String> src, List<TimeWindow> times,
                         Optional<String> timesLocation, boolean bearerToken, List<String> allowedConnectionTypes,
                         List<String> tags) {

    /** Read user claims; the JWT must be of type {@code user}. Does not verify anything beyond shape. */
    public static UserClaims from(NatsJwt jwt) {
        if (!"user".equals(jwt.type())) {
            throw new JwtException("expected a user JWT but got type \"" + jwt.type() + "\"");
        }
        Map<String, Object> nats = jwt.nats();
        if (jwt.version() < 2 && nats.isEmpty()) {
            nats = jwt.claims();
        }
        List<TimeWindow> times = new ArrayList<>();
        for (Object o : ClaimReader.list(nats, "times")) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new JwtException("claim times must be a list of {start, end}");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> w = (Map<String, Object>) m;
            times.add(TimeWindow.parse(ClaimReader.string(w, "start").orElse("00:00:00"),
                    ClaimReader.string(w, "end").orElse("23:59:59")));
        }
        List<String> src = new ArrayList<>();
        for (String s : ClaimReader.strings(nats, "src")) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    src.add(part.trim());
                }
            }
        }
        return new UserClaims(jwt, jwt.subject(), jwt.issuer(), ClaimReader.string(nats, "issuer_account"),
                NatsPermissions.from(nats), List.copyOf(src), List.copyOf(times),
                ClaimReader.string(nats, "times_location"), ClaimReader.bool(nats, "bearer_token"),
                ClaimReader.strings(nats, "allowed_connection_types"), ClaimReader.strings(nats, "tags"));
    }

    /** The account this user belongs to: {@code issuer_account} if set, else the issuer. */
    public String account() {
        return issuerAccount.orElse(issuer);
    }
}
