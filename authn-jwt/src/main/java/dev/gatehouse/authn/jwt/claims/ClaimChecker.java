package dev.gatehouse.authn.jwt.claims;

import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.authn.jwt.Refusal;
import dev.gatehouse.authn.jwt.RefusalKind;
import dev.gatehouse.authn.spi.AuthRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Checks a verified token's time claims, required claims, issuer, audience and verify-claims. */
public final class ClaimChecker {
    private final ClaimPolicy policy;

    public ClaimChecker(ClaimPolicy policy) {
        this.policy = policy;
    }

    public ClaimPolicy policy() {
        return policy;
    }

    /** The first reason to refuse the token for this request at {@code now}, or empty when it passes. */
    public Optional<Refusal> check(DecodedJWT jwt, AuthRequest request, Instant now) {
        for (String name : policy.required()) {
            Claim c = jwt.getClaim(name);
            if (c.isMissing() || c.isNull()) {
                return refuse(RefusalKind.MISSING_CLAIM, "claim " + name + " is required");
            }
        }
        Optional<Refusal> time = checkTimes(jwt, now);
        if (time.isPresent()) {
            return time;
        }
        if (!policy.issuers().isEmpty()) {
            Claim iss = jwt.getClaim("iss");
            String value = iss.asString();
            if (value == null || !policy.issuers().contains(value)) {
                return refuse(RefusalKind.WRONG_ISSUER, "iss " + (value == null ? "missing"
                        : "\"" + Refusal.safe(value) + "\"") + " is not among " + policy.issuers());
            }
        }
        if (!policy.audiences().isEmpty()) {
            List<String> aud;
            try {
                aud = jwt.getAudience();
            } catch (JWTDecodeException e) {
                aud = null;
            }
            if (aud == null || aud.stream().noneMatch(policy.audiences()::contains)) {
                return refuse(RefusalKind.WRONG_AUDIENCE, "aud " + (aud == null ? "missing" : aud.size() + " value(s)")
                        + " does not contain any of " + policy.audiences());
            }
        }
        for (Map.Entry<String, Object> e : policy.verifyClaims().entrySet()) {
            Optional<Refusal> r = checkClaim(jwt, e.getKey(), e.getValue(), request);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    private Optional<Refusal> checkTimes(DecodedJWT jwt, Instant now) {
        long leeway = policy.leeway().getSeconds();
        Optional<Instant> exp;
        Optional<Instant> nbf;
        Optional<Instant> iat;
        try {
            exp = numericDate(jwt, "exp");
            nbf = numericDate(jwt, "nbf");
            iat = numericDate(jwt, "iat");
        } catch (IllegalArgumentException e) {
            return refuse(RefusalKind.MALFORMED, e.getMessage());
        }
        if (exp.isPresent() && !now.isBefore(exp.get().plusSeconds(leeway))) {
            return refuse(RefusalKind.EXPIRED, "exp " + exp.get() + " has passed (now " + now + ", leeway " + leeway + "s)");
        }
        if (nbf.isPresent() && now.plusSeconds(leeway).isBefore(nbf.get())) {
            return refuse(RefusalKind.NOT_YET_VALID, "nbf " + nbf.get() + " is in the future (now " + now + ")");
        }
        if (iat.isPresent() && now.plusSeconds(leeway).isBefore(iat.get())) {
            return refuse(RefusalKind.ISSUED_IN_FUTURE, "iat " + iat.get() + " is in the future (now " + now + ")");
        }
        if (policy.maxAge().isPresent()) {
            if (iat.isEmpty()) {
                return refuse(RefusalKind.MISSING_CLAIM, "claim iat is required by max-age");
            }
            if (now.minusSeconds(leeway).isAfter(iat.get().plus(policy.maxAge().get()))) {
                return refuse(RefusalKind.TOO_OLD, "iat " + iat.get() + " is older than max-age " + policy.maxAge().get());
            }
        }
        return Optional.empty();
    }

    /** A NumericDate claim (seconds since the epoch, fractions allowed); an error when not a number. */
    static Optional<Instant> numericDate(DecodedJWT jwt, String name) {
        Claim c = jwt.getClaim(name);
        if (c.isMissing() || c.isNull()) {
            return Optional.empty();
        }
        Object raw = c.as(Object.class);
        if (!(raw instanceof Number n)) {
            throw new IllegalArgumentException("claim " + name + " is not a number");
        }
        double seconds = n.doubleValue();
        if (Double.isNaN(seconds) || seconds < 0 || seconds > 1e11) {
            throw new IllegalArgumentException("claim " + name + " is out of range");
        }
        return Optional.of(Instant.ofEpochMilli((long) Math.floor(seconds * 1000)));
    }

    private Optional<Refusal> checkClaim(DecodedJWT jwt, String name, Object expected, AuthRequest request) {
        Claim c = jwt.getClaim(name);
        if (c.isMissing() || c.isNull()) {
            return refuse(RefusalKind.CLAIM_MISMATCH, "claim " + name + " is missing");
        }
        Object actual;
        try {
            actual = c.as(Object.class);
        } catch (JWTDecodeException e) {
            return refuse(RefusalKind.CLAIM_MISMATCH, "claim " + name + " cannot be read");
        }
        List<?> wanted = expected instanceof List<?> l ? l : List.of(expected);
        for (Object w : wanted) {
            Optional<Object> resolved = resolve(w, request);
            if (resolved.isPresent() && matches(actual, resolved.get())) {
                return Optional.empty();
            }
        }
        return refuse(RefusalKind.CLAIM_MISMATCH, "claim " + name + " does not match the expected value");
    }

    private static Optional<Object> resolve(Object expected, AuthRequest request) {
        if (expected instanceof String s) {
            return Placeholders.resolve(s, request).map(v -> v);
        }
        return Optional.of(expected);
    }

    /** An array claim matches when one element matches; scalars compare by value (numbers numerically). */
    static boolean matches(Object actual, Object expected) {
        if (actual instanceof List<?> list) {
            for (Object element : list) {
                if (!(element instanceof List) && matches(element, expected)) {
                    return true;
                }
            }
            return false;
        }
        if (actual instanceof Map) {
            return false;
        }
        if (actual instanceof Number a && expected instanceof Number b) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
        }
        if (actual instanceof Boolean a && expected instanceof Boolean b) {
            return a.equals(b);
        }
        if (expected instanceof String s && (actual instanceof Number || actual instanceof Boolean)) {
            return matches(actual, parseScalar(s));
        }
        return actual instanceof String && actual.equals(expected.toString());
    }

    private static Object parseScalar(String s) {
        if (s.equals("true") || s.equals("false")) {
            return Boolean.valueOf(s);
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return s;
        }
    }

    private static Optional<Refusal> refuse(RefusalKind kind, String detail) {
        return Optional.of(Refusal.of(kind, detail));
    }
}
