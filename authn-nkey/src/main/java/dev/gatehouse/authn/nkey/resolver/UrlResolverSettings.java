package dev.gatehouse.authn.nkey.resolver;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link UrlResolver} talks to its account server and how much it remembers; see the
 * {@code url} resolver in {@code docs/authn-nkey.md}.
 *
 * @param timeout              connect and response timeout of one request
 * @param cacheTtl             how long a JWT the server returned is used without asking again
 * @param staleTtl             how much longer a cached JWT is served while the server fails
 * @param negativeTtl          how long an unknown account (404) is remembered; zero: not at all. Kept
 *                             short because clients choose the account keys: a long one would let them
 *                             fill the cache with misses, and a newly created account should work soon
 * @param cacheSize            accounts remembered (answers and misses together); the least recently used
 *                             goes first
 * @param maxConcurrentFetches distinct accounts being fetched at once; a look-up beyond it is served a
 *                             stale copy if there is one, else fails at once (the client gets server
 *                             unavailable) instead of queueing behind a flood
 */
public record UrlResolverSettings(Duration timeout, Duration cacheTtl, Duration staleTtl, Duration negativeTtl,
                                  int cacheSize, int maxConcurrentFetches) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(2);
    public static final Duration DEFAULT_STALE_TTL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(15);
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    public static final int DEFAULT_MAX_CONCURRENT_FETCHES = 32;

    public UrlResolverSettings {
        positive(timeout, "timeout");
        positive(cacheTtl, "cacheTtl");
        notNegative(staleTtl, "staleTtl");
        notNegative(negativeTtl, "negativeTtl");
        if (cacheSize < 1) {
            throw new IllegalArgumentException("cacheSize must be at least 1, not " + cacheSize);
        }
        if (maxConcurrentFetches < 1) {
            throw new IllegalArgumentException("maxConcurrentFetches must be at least 1, not " + maxConcurrentFetches);
        }
    }

    /** Every default: 2 s timeout, 2 min cache, 10 min stale, 15 s for misses, 10 000 accounts, 32 fetches. */
    public static UrlResolverSettings defaults() {
        return new UrlResolverSettings(DEFAULT_TIMEOUT, DEFAULT_CACHE_TTL, DEFAULT_STALE_TTL, DEFAULT_NEGATIVE_TTL,
                DEFAULT_CACHE_SIZE, DEFAULT_MAX_CONCURRENT_FETCHES);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    private static void notNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }
}
