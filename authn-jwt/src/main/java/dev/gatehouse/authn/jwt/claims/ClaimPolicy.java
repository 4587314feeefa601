package dev.gatehouse.authn.jwt.claims;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a verified token's claims must satisfy.
 *
 * @param leeway       clock skew allowed for {@code exp}, {@code nbf} and {@code iat}
 * @param required     claims that must be present (default {@code [exp]})
 * @param issuers      accepted {@code iss} values (any of); empty accepts any
 * @param audiences    accepted audiences (the token's {@code aud} must contain one); empty accepts any
 * @param verifyClaims claim name to expected value: a string (placeholders allowed), number, boolean,
 *                     or a list of those (any of)
 * @param maxAge       when set, tokens whose {@code iat} is older than this are refused
 */
public record ClaimPolicy(Duration leeway, Set<String> required, List<String> issuers, List<String> audiences,
                          Map<String, Object> verifyClaims, Optional<Duration> maxAge) {
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);

    public ClaimPolicy {
        Objects.requireNonNull(leeway, "leeway");
        if (leeway.isNegative()) {
            throw new IllegalArgumentException("leeway must not be negative");
        }
        required = Set.copyOf(required);
        issuers = List.copyOf(issuers);
        audiences = List.copyOf(audiences);
        verifyClaims = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(verifyClaims));
        Objects.requireNonNull(maxAge, "maxAge");
    }

    /** Defaults: 30 s leeway, {@code exp} required, nothing else checked. */
    public static ClaimPolicy defaults() {
        return new ClaimPolicy(DEFAULT_LEEWAY, Set.of("exp"), List.of(), List.of(), Map.of(), Optional.empty());
    }
}
