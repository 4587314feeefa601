package dev.gatehouse.authn.jwt.keys;

import com.auth0.jwt.algorithms.Algorithm;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One key that may verify tokens: its material, its {@code kid} (if it has one), the algorithms it is
 * restricted to (a JWK's {@code alg}, or empty for "any that fits the key") and where it came from.
 *
 * @param kid        the key id tokens name in their header, if any
 * @param material   the secret or public key
 * @param restrictTo algorithms this key may verify; empty means every algorithm its material fits
 * @param origin     where the key was loaded from, for logs (e.g. {@code jwks}, {@code keys.1})
 */
public record VerificationKey(Optional<String> kid, KeyMaterial material, Set<JwtAlgorithm> restrictTo, String origin) {

    public VerificationKey {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(material, "material");
        restrictTo = Set.copyOf(restrictTo);
        Objects.requireNonNull(origin, "origin");
    }

    /** Whether this key may verify a token signed with {@code alg}. */
    public boolean supports(JwtAlgorithm alg) {
        return material.fits(alg) && (restrictTo.isEmpty() || restrictTo.contains(alg));
    }

    /** The java-jwt algorithm that verifies {@code alg} signatures with this key. */
    public Algorithm algorithm(JwtAlgorithm alg) {
        if (!supports(alg)) {
            throw new IllegalArgumentException(origin + " cannot verify " + alg);
        }
        return Algorithms.verifier(alg, material);
    }

    /** A fingerprint of kid, material and restriction, for telling key sets apart. */
    public String fingerprint() {
        return kid.orElse("") + "|" + material.fingerprint() + "|" + new java.util.TreeSet<>(restrictTo);
    }
}
