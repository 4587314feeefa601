package dev.gatehouse.authn.jwt.keys;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Keys fixed by configuration: an HMAC secret, PEM public keys, and keys selected by {@code kid}. A token
 * whose kid matches no configured kid may still be verified by a configured key that has no kid.
 */
public final class StaticKeySource implements KeySource {
    private final List<VerificationKey> keys;

    public StaticKeySource(List<VerificationKey> keys) {
        this.keys = List.copyOf(keys);
    }

    public List<VerificationKey> keys() {
        return keys;
    }

    @Override
    public CompletionStage<KeyLookup> lookup(Optional<String> kid, JwtAlgorithm alg) {
        List<VerificationKey> found = KeySelection.select(keys, kid, alg, true);
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(new KeyLookup.Unknown(kid.isPresent()
                    ? "no configured key for this kid and " + alg : "no configured key for " + alg));
        }
        return CompletableFuture.completedFuture(new KeyLookup.Found(found, 0));
    }

    @Override
    public long generation() {
        return 0;
    }
}
