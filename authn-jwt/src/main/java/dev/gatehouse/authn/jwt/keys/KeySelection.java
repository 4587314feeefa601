package dev.gatehouse.authn.jwt.keys;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The kid rules shared by every key source. */
final class KeySelection {
    private KeySelection() {
    }

    /**
     * Keys for a token: with a kid, the keys carrying exactly that kid, else (only when {@code kidlessFallback})
     * the keys that have no kid at all; without a kid, every key that supports the algorithm.
     */
    static List<VerificationKey> select(List<VerificationKey> keys, Optional<String> kid, JwtAlgorithm alg,
                                        boolean kidlessFallback) {
        List<VerificationKey> out = new ArrayList<>();
        if (kid.isPresent()) {
            for (VerificationKey k : keys) {
                if (k.kid().equals(kid) && k.supports(alg)) {
                    out.add(k);
                }
            }
            if (out.isEmpty() && kidlessFallback) {
                for (VerificationKey k : keys) {
                    if (k.kid().isEmpty() && k.supports(alg)) {
                        out.add(k);
                    }
                }
            }
            return out;
        }
        for (VerificationKey k : keys) {
            if (k.supports(alg)) {
                out.add(k);
            }
        }
        return out;
    }
}
