package dev.gatehouse.authn.nkey.jwt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed reads from parsed JSON claims; a value of the wrong type is a {@link JwtException}. */
final class ClaimReader {
    private ClaimReader() {
    }

    static Optional<String> string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new JwtException("claim " + key + " must be a string");
        }
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    static long number(Map<String, Object> m, String key, long fallback) {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d && d == Math.rint(d)) {
            return d.longValue();
        }
        throw new JwtException("claim " + key + " must be an integer");
    }

    static boolean bool(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new JwtException("claim " + key + " must be true or false");
        }
        return b;
    }

    /** A list of strings; absent (or null) is empty. */
    static List<String> strings(Map<String, Object> m, String key) {
        return optStrings(m, key).orElse(List.of());
    }

    /** A list of strings, distinguishing absent from empty. A single string counts as a one-element list. */
    static Optional<List<String>> optStrings(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(List.of(s));
        }
        if (!(v instanceof List<?> l)) {
            throw new JwtException("claim " + key + " must be a list of strings");
        }
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String s)) {
                throw new JwtException("claim " + key + " must be a list of strings");
            }
            out.add(s);
        }
        return Optional.of(List.copyOf(out));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw new JwtException("claim " + key + " must be an object");
        }
        return (Map<String, Object>) v;
    }

    static List<Object> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new JwtException("claim " + key + " must be a list");
        }
        return List.copyOf(l);
    }
}
