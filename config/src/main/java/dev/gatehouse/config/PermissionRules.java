package dev.gatehouse.config;

import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.Rule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Permission sets as written in configuration:
 * <pre>
 * [ { permission = allow, action = publish, topic = "devices/${clientid}/#", qos = [0, 1], retain = false },
 *   { permission = deny,  action = all,     topic = "#" } ]
 * </pre>
 * or the words {@code allow-all} / {@code deny-all}. Rules are checked in order, first match wins; when no
 * rule matches the answer is deny. Works on plain Java values (what {@code Settings.getValue} returns), so
 * any authenticator can use it.
 */
public final class PermissionRules {
    private static final List<String> EFFECTS = List.of("allow", "deny");
    private static final List<String> ACTIONS = List.of("publish", "subscribe", "all");

    private PermissionRules() {
    }

    /**
     * Parse a permission set found at {@code path}.
     *
     * @throws ConfigException listing every bad rule and field
     */
    public static Permissions parse(String path, Object raw) {
        Problems problems = new Problems();
        Optional<Permissions> p = parse(path, raw, problems);
        problems.throwIfAny();
        return p.orElseThrow();
    }

    static Optional<Permissions> parse(String path, Object raw, Problems problems) {
        if (raw instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "allow-all":
                    return Optional.of(Permissions.allowAll());
                case "deny-all":
                    return Optional.of(Permissions.denyAll());
                default:
                    problems.add(path, "expected allow-all, deny-all or a list of rules but found \"" + s + "\"");
                    return Optional.empty();
            }
        }
        if (!(raw instanceof List<?> list)) {
            problems.add(path, "expected allow-all, deny-all or a list of rules but found " + describe(raw));
            return Optional.empty();
        }
        List<Rule> rules = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            Optional<Rule> r = rule(path + "." + i, list.get(i), problems);
            ok &= r.isPresent();
            r.ifPresent(rules::add);
        }
        return ok ? Optional.of(Permissions.of(rules, Effect.DENY)) : Optional.empty();
    }

    private static Optional<Rule> rule(String path, Object raw, Problems problems) {
        if (!(raw instanceof Map<?, ?> m)) {
            problems.add(path, "expected a rule object {permission, action, topic} but found " + describe(raw));
            return Optional.empty();
        }
        int before = problems.list().size();
        for (Object k : m.keySet()) {
            if (!Schema.RULE_KEYS.contains(String.valueOf(k))) {
                problems.add(path + "." + k, "unknown key" + Suggestions.didYouMean(String.valueOf(k), Schema.RULE_KEYS));
            }
        }
        Effect effect = word(path + ".permission", m.get("permission"), EFFECTS, problems)
                .map(w -> Effect.valueOf(w.toUpperCase(Locale.ROOT))).orElse(null);
        Action action = word(path + ".action", m.get("action"), ACTIONS, problems)
                .map(w -> Action.valueOf(w.toUpperCase(Locale.ROOT))).orElse(null);
        Object topic = m.get("topic");
        if (topic == null) {
            problems.add(path + ".topic", "is required but not set");
        } else if (!(topic instanceof String)) {
            problems.add(path + ".topic", "expected a topic filter string but found " + describe(topic));
        }
        Set<Integer> qos = qos(path + ".qos", m.get("qos"), problems);
        Optional<Boolean> retain = retain(path + ".retain", m.get("retain"), problems);
        if (problems.list().size() != before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Rule(effect, action, (String) topic, qos, retain));
        } catch (IllegalArgumentException e) {
            problems.add(path + ".topic", e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<String> word(String path, Object v, List<String> allowed, Problems problems) {
        if (v == null) {
            problems.add(path, "is required but not set (one of " + String.join(", ", allowed) + ")");
            return Optional.empty();
        }
        String w = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(w)) {
            problems.add(path, "expected one of " + String.join(", ", allowed) + " but found \"" + v + "\""
                    + Suggestions.didYouMean(w, allowed));
            return Optional.empty();
        }
        return Optional.of(w);
    }

    private static Set<Integer> qos(String path, Object v, Problems problems) {
        if (v == null) {
            return Set.of();
        }
        List<?> levels = v instanceof List<?> l ? l : List.of(v);
        Set<Integer> out = new LinkedHashSet<>();
        for (Object q : levels) {
            if (q instanceof Integer i && i >= 0 && i <= 2) {
                out.add(i);
            } else {
                problems.add(path, "QoS levels are 0, 1 and 2, not " + describe(q));
            }
        }
        return out;
    }

    private static Optional<Boolean> retain(String path, Object v, Problems problems) {
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        problems.add(path, "expected true or false but found " + describe(v));
        return Optional.empty();
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
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
