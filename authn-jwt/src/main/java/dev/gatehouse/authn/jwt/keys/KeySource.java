package dev.gatehouse.authn.jwt.keys;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where verification keys come from: configuration ({@link StaticKeySource}) or a JWKS endpoint.
 * Lookups never block; a source that must fetch completes the stage later, off the caller's thread.
 */
public interface KeySource extends AutoCloseable {

    /** Keys for a token with this {@code kid} (empty when the header has none) signed with {@code alg}. */
    CompletionStage<KeyLookup> lookup(Optional<String> kid, JwtAlgorithm alg);

    /** A number that changes whenever the key set changes; verified-token caches key on it. */
    long generation();

    /** Call {@code listener} after every change of the key set. */
    default void onChange(Runnable listener) {
    }

    /**
     * Whether lookups can find keys now: a remote source is ready once it has loaded a key set (and stays so
     * through an outage, serving the last good set). Never blocks.
     */
    default boolean ready() {
        return true;
    }

    /** Begin background work (initial fetch, periodic refresh). */
    default void start() {
    }

    @Override
    default void close() {
    }
}
