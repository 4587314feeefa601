package dev.gatehouse.authn.nkey.resolver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map with a fixed capacity that drops its least recently used entry when full. Resolvers cache
 * account JWTs under keys that clients choose (the account named in a user JWT), so their caches must
 * never grow with what clients send. Every operation is O(1) (an access-ordered {@link LinkedHashMap}
 * drops its eldest entry on insert); one lock guards the map, which is fine for look-ups that are
 * rare next to a connection's lifetime.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class LruCache<K, V> {
    private final int capacity;
    private final LinkedHashMap<K, V> map;

    LruCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > LruCache.this.capacity;
            }
        };
    }

    /** The value, marking it as recently used; null when absent. */
    synchronized V get(K key) {
        return map.get(key);
    }

    synchronized void put(K key, V value) {
        map.put(key, value);
    }

    synchronized void remove(K key) {
        map.remove(key);
    }

    synchronized int size() {
        return map.size();
    }

    int capacity() {
        return capacity;
    }
}
