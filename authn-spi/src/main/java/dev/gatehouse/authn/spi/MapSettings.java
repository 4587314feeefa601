package dev.gatehouse.authn.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link Settings} over nested {@link Map}s and {@link List}s, for embedding code and tests.
 * Keys may be nested maps or dotted paths. Config loaders may adapt their own trees to this.
 */
public final class MapSettings implements Settings {
    private static final Pattern DURATION = Pattern.compile(
            "\\s*(\\d+)\\s*(ms|millis|milliseconds|s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)?\\s*");

    private final String path;
    private final Map<String, Object> values;

    private MapSettings(String path, Map<String, ?> values) {
        this.path = Objects.requireNonNull(path, "path");
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Settings rooted at {@code path} (use {@code ""} for none). */
    public static MapSettings of(String path, Map<String, ?> values) {
        return new MapSettings(path, values);
    }

    /** Root settings with no path prefix. */
    public static MapSettings of(Map<String, ?> values) {
        return new MapSettings("", values);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Set<String> keys() {
        return values.keySet();
    }

    @Override
    public boolean has(String p) {
        return lookup(p) != null;
    }

    @Override
    public Object getValue(String p) {
        return require(p);
    }

    @Override
    public String getString(String p) {
        Object v = require(p);
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw problem(p, "expected a string but found " + describe(v));
    }

    @Override
    public int getInt(String p) {
        long v = getLong(p);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw problem(p, "number " + v + " is out of range");
        }
        return (int) v;
    }

    @Override
    public long getLong(String p) {
        Object v = require(p);
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw problem(p, "expected a whole number but found \"" + s + "\"");
            }
        }
        throw problem(p, "expected a whole number but found " + describe(v));
    }

    @Override
    public boolean getBoolean(String p) {
        Object v = require(p);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on":
                    return true;
                case "false", "no", "off":
                    return false;
                default:
                    break;
            }
        }
        throw problem(p, "expected true or false but found " + describe(v));
    }

    @Override
    public Duration getDuration(String p) {
        Object v = require(p);
        if (v instanceof Duration d) {
            return d;
        }
        if (v instanceof Integer || v instanceof Long) {
            return Duration.ofMillis(((Number) v).longValue());
        }
        if (v instanceof String s) {
            Matcher m = DURATION.matcher(s);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                if (unit.startsWith("ms") || unit.startsWith("milli")) {
                    return Duration.ofMillis(n);
                }
                return switch (unit.charAt(0)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
        }
        throw problem(p, "expected a duration such as 30s or 5m but found " + describe(v));
    }

    @Override
    public List<String> getStringList(String p) {
        Object v = require(p);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> list)) {
            throw problem(p, "expected a list of strings but found " + describe(v));
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object e = list.get(i);
            if (e instanceof String || e instanceof Number || e instanceof Boolean) {
                out.add(e.toString());
            } else {
                throw problem(p + "." + i, "expected a string but found " + describe(e));
            }
        }
        return List.copyOf(out);
    }

    @Override
    public Settings getSettings(String p) {
        Object v = require(p);
        if (v instanceof Map<?, ?> m) {
            return new MapSettings(absolute(p), stringKeys(p, m));
        }
        throw problem(p, "expected an object but found " + describe(v));
    }

    @Override
    public List<Settings> getSettingsList(String p) {
        Object v = require(p);
        if (!(v instanceof List<?> list)) {
            throw problem(p, "expected a list of objects but found " + describe(v));
        }
        List<Settings> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw problem(p + "." + i, "expected an object but found " + describe(list.get(i)));
            }
            out.add(new MapSettings(absolute(p + "." + i), stringKeys(p + "." + i, m)));
        }
        return List.copyOf(out);
    }

    private Map<String, Object> stringKeys(String p, Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, val) -> {
            if (!(k instanceof String key)) {
                throw problem(p, "keys must be strings");
            }
            out.put(key, val);
        });
        return out;
    }

    private Object require(String p) {
        Object v = lookup(p);
        if (v == null) {
            throw problem(p, "is required but not set");
        }
        return v;
    }

    private Object lookup(String p) {
        if (values.containsKey(p)) {
            return values.get(p);
        }
        Object current = values;
        for (String part : p.split("\\.", -1)) {
            if (current instanceof Map<?, ?> m) {
                current = m.get(part);
            } else if (current instanceof List<?> l && part.chars().allMatch(Character::isDigit) && !part.isEmpty()) {
                int idx = Integer.parseInt(part);
                current = idx < l.size() ? l.get(idx) : null;
            } else {
                return null;
            }
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    private static String describe(Object v) {
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        return String.valueOf(v);
    }
}
