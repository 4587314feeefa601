package dev.gatehouse.authn.jwt.cache;

import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.authn.jwt.keys.Fingerprints;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Tokens whose signature has been verified, keyed by the SHA-256 of the token (the token itself is not
 * kept as a key), so that a reconnect storm costs no repeated RSA/EC verification. Bounded (least recently
 * used entries go first); an entry is valid until the token's {@code exp} (or {@code ttl}, if sooner) and
 * only for the key-set generation it was verified under; {@link #clear()} empties it when keys change.
 * Only the signature is cached: time and claim checks run on every use.
 */
public final class VerifiedTokenCache {

    /** A verified token, its key id, and until when the entry may be used. */
    public record Entry(DecodedJWT jwt, String kid, long generation, Instant validUntil) {
    }

    private final int maxEntries;
    private final Duration ttl;
    private final Clock clock;
    private final LinkedHashMap<ByteBuffer, Entry> entries;
    private long hits;
    private long misses;

    public VerifiedTokenCache(int maxEntries, Duration ttl, Clock clock) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative");
        }
        this.maxEntries = maxEntries;
        this.ttl = ttl;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Entry> eldest) {
                return size() > VerifiedTokenCache.this.maxEntries;
            }
        };
    }

    /** The key for a token. */
    public static ByteBuffer keyOf(String token) {
        return ByteBuffer.wrap(Fingerprints.sha256(token));
    }

    /** The verified entry for this token under key-set {@code generation}, if present and still valid. */
    public synchronized Optional<Entry> get(ByteBuffer key, long generation) {
        if (maxEntries == 0) {
            return Optional.empty();
        }
        Entry e = entries.get(key);
        if (e == null) {
            misses++;
            return Optional.empty();
        }
        if (e.generation() != generation || !clock.instant().isBefore(e.validUntil())) {
            entries.remove(key);
            misses++;
            return Optional.empty();
        }
        hits++;
        return Optional.of(e);
    }

    /** Remember a token verified under {@code generation}; ignored when the cache is disabled. */
    public synchronized void put(ByteBuffer key, DecodedJWT jwt, String kid, long generation) {
        if (maxEntries == 0) {
            return;
        }
        Instant until = clock.instant().plus(ttl);
        Instant exp = jwt.getExpiresAtAsInstant();
        if (exp != null && exp.isBefore(until)) {
            until = exp;
        }
        if (!clock.instant().isBefore(until)) {
            return;
        }
        entries.put(key, new Entry(jwt, kid, generation, until));
    }

    /** Forget everything (the key set changed). */
    public synchronized void clear() {
        entries.clear();
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}
