package dev.gatehouse.authn.jwt.keys;

import java.util.List;

/** What a {@link KeySource} found for a token's {@code kid} and algorithm. */
public sealed interface KeyLookup {

    /** Keys that may have signed the token, most specific first (never empty). */
    record Found(List<VerificationKey> candidates, long generation) implements KeyLookup {
        public Found {
            candidates = List.copyOf(candidates);
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("no candidates");
            }
        }
    }

    /** No key with this kid (or none at all for this algorithm). */
    record Unknown(String why) implements KeyLookup {
    }

    /** The source could not be consulted: no key set was ever loaded. */
    record Unavailable(String why) implements KeyLookup {
    }
}
