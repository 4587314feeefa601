package dev.gatehouse.authn.spi.acl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The MQTT topic-filter algebra: validation, matching a topic name, and deciding whether one
 * filter covers or overlaps another. A filter whose first level is a wildcard never matches a
 * topic whose first level starts with {@code $} (MQTT 5 §4.7.2).
 *
 * <p>The methods taking {@code String[]} work on pre-split filters so that hot paths split a
 * filter once and match many times without allocating.
 */
public final class TopicFilters {
    /** Longest topic in UTF-8 bytes that an MQTT string can carry. */
    public static final int MAX_LENGTH = 65_535;

    private TopicFilters() {
    }

    /** Split into levels; {@code "a//b"} has an empty middle level. */
    public static String[] split(String topicOrFilter) {
        List<String> out = new ArrayList<>(8);
        int start = 0;
        while (true) {
            int slash = topicOrFilter.indexOf('/', start);
            if (slash < 0) {
                out.add(topicOrFilter.substring(start));
                return out.toArray(String[]::new);
            }
            out.add(topicOrFilter.substring(start, slash));
            start = slash + 1;
        }
    }

    /** A topic name a PUBLISH may carry: not empty, no wildcard, no NUL, at most 65535 bytes. */
    public static boolean isValidTopicName(String topic) {
        if (topic == null || topic.isEmpty() || tooLong(topic)) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** A filter a SUBSCRIBE may carry: {@code +} fills a whole level, {@code #} a whole last level. */
    public static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty() || tooLong(filter)) {
            return false;
        }
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c == 0) {
                return false;
            }
            if (c == '+' || c == '#') {
                boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
                boolean endsLevel = i == n - 1 || filter.charAt(i + 1) == '/';
                if (!startsLevel || !endsLevel || (c == '#' && i != n - 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the filter contains {@code +} or {@code #}. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    private static boolean tooLong(String s) {
        return s.length() > MAX_LENGTH
                || (s.length() * 3 > MAX_LENGTH && s.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH);
    }

    /** Whether {@code topic} (a name, no wildcards) matches {@code filter}. */
    public static boolean matches(String filter, String topic) {
        return matches(split(filter), topic);
    }

    /** As {@link #matches(String, String)} on a pre-split filter; allocates nothing. */
    public static boolean matches(String[] filter, String topic) {
        if (!topic.isEmpty() && topic.charAt(0) == '$' && isWildcard(filter[0])) {
            return false;
        }
        int pos = 0;
        int n = topic.length();
        for (String level : filter) {
            if (level.equals("#")) {
                return true;
            }
            if (pos > n) {
                return false;
            }
            int end = topic.indexOf('/', pos);
            if (end < 0) {
                end = n;
            }
            if (!level.equals("+")
                    && (end - pos != level.length() || !topic.regionMatches(pos, level, 0, level.length()))) {
                return false;
            }
            pos = end + 1;
        }
        return pos > n;
    }

    /** Whether every topic matched by {@code inner} is also matched by {@code outer}. */
    public static boolean covers(String outer, String inner) {
        return covers(split(outer), split(inner));
    }

    /** As {@link #covers(String, String)} on pre-split filters. */
    public static boolean covers(String[] outer, String[] inner) {
        if (isWildcard(outer[0]) && inner[0].startsWith("$")) {
            return false;
        }
        for (int k = 0; ; k++) {
            if (k == outer.length) {
                return k == inner.length;
            }
            String o = outer[k];
            if (o.equals("#")) {
                return true;
            }
            if (k == inner.length) {
                return false;
            }
            String i = inner[k];
            if (i.equals("#")) {
                return false;
            }
            if (o.equals("+")) {
                continue;
            }
            if (i.equals("+") || !o.equals(i)) {
                return false;
            }
        }
    }

    /** Whether some topic name is matched by both filters. */
    public static boolean overlaps(String a, String b) {
        return overlaps(split(a), split(b));
    }

    /** As {@link #overlaps(String, String)} on pre-split filters. */
    public static boolean overlaps(String[] a, String[] b) {
        if ((isWildcard(a[0]) && b[0].startsWith("$")) || (isWildcard(b[0]) && a[0].startsWith("$"))) {
            return false;
        }
        for (int k = 0; ; k++) {
            if (k == a.length && k == b.length) {
                return true;
            }
            if (k == a.length) {
                return b[k].equals("#");
            }
            if (k == b.length) {
                return a[k].equals("#");
            }
            if (a[k].equals("#") || b[k].equals("#")) {
                return true;
            }
            if (!a[k].equals("+") && !b[k].equals("+") && !a[k].equals(b[k])) {
                return false;
            }
        }
    }

    private static boolean isWildcard(String level) {
        return level.equals("+") || level.equals("#");
    }
}
