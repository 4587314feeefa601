package dev.gatehouse.authn.jwt.acl;

import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Rule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Translates EMQX's two ACL claim forms into {@link Rule}s, in order:
 * <ul>
 *   <li>{@code {"pub": [...], "sub": [...], "all": [...]}} — allow lists (publish, subscribe, both);</li>
 *   <li>{@code [{"permission": "allow|deny", "action": "publish|subscribe|all", "topic": "...",
 *       "qos": [0,1,2], "retain": true|false|"all"}, ...]} — rules, first match wins.</li>
 * </ul>
 * Topics may use {@code ${clientid}}, {@code ${username}}, {@code ${cert_cn}} (EMQX's
 * {@code ${cert_common_name}} is accepted as an alias) and the {@code eq } literal prefix. Anything that is
 * not exactly one of these forms is malformed: it is never read as "no restrictions".
 */
public final class AclParser {
    private static final Set<String> RULE_KEYS = Set.of("permission", "action", "topic", "topics", "qos", "retain");

    private AclParser() {
    }

    /** The rules of a claim value (a JSON object or array as Java maps and lists). */
    public static List<Rule> parse(Object claim) throws MalformedAclException {
        if (claim instanceof Map<?, ?> map) {
            return parseLists(map);
        }
        if (claim instanceof List<?> list) {
            return parseRules(list);
        }
        throw new MalformedAclException("expected an object {pub, sub, all} or a list of rules, found "
                + describe(claim));
    }

    private static List<Rule> parseLists(Map<?, ?> map) throws MalformedAclException {
        List<Rule> rules = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Action action;
            String key = String.valueOf(e.getKey());
            switch (key) {
                case "pub":
                    action = Action.PUBLISH;
                    break;
                case "sub":
                    action = Action.SUBSCRIBE;
                    break;
                case "all":
                    action = Action.ALL;
                    break;
                default:
                    throw new MalformedAclException("unknown key \"" + safe(key) + "\" (expected pub, sub, all)");
            }
            if (!(e.getValue() instanceof List<?> topics)) {
                throw new MalformedAclException(key + " must be a list of topic filters, found " + describe(e.getValue()));
            }
            for (int i = 0; i < topics.size(); i++) {
                rules.add(rule(Effect.ALLOW, action, topic(topics.get(i), key + "[" + i + "]"), Set.of(),
                        Optional.empty(), key + "[" + i + "]"));
            }
        }
        return List.copyOf(rules);
    }

    private static List<Rule> parseRules(List<?> list) throws MalformedAclException {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new MalformedAclException(at + " must be an object, found " + describe(list.get(i)));
            }
            for (Object k : m.keySet()) {
                if (!RULE_KEYS.contains(String.valueOf(k))) {
                    throw new MalformedAclException(at + ": unknown key \"" + safe(String.valueOf(k))
                            + "\" (expected permission, action, topic, qos, retain)");
                }
            }
            Effect effect = effect(m.get("permission"), at);
            Action action = action(m.get("action"), at);
            Set<Integer> qos = qos(m.get("qos"), at);
            Optional<Boolean> retain = retain(m.get("retain"), at);
            Object topic = m.get("topic");
            Object topics = m.get("topics");
            if ((topic == null) == (topics == null)) {
                throw new MalformedAclException(at + ": exactly one of topic or topics is required");
            }
            if (topic != null) {
                rules.add(rule(effect, action, topic(topic, at + ".topic"), qos, retain, at));
            } else if (topics instanceof List<?> ts && !ts.isEmpty()) {
                for (int j = 0; j < ts.size(); j++) {
                    rules.add(rule(effect, action, topic(ts.get(j), at + ".topics[" + j + "]"), qos, retain, at));
                }
            } else {
                throw new MalformedAclException(at + ".topics must be a non-empty list");
            }
        }
        return List.copyOf(rules);
    }

    private static Rule rule(Effect effect, Action action, String topic, Set<Integer> qos, Optional<Boolean> retain,
                             String at) throws MalformedAclException {
        try {
            return new Rule(effect, action, topic, qos, retain);
        } catch (IllegalArgumentException e) {
            throw new MalformedAclException(at + ": " + e.getMessage());
        }
    }

    private static String topic(Object value, String at) throws MalformedAclException {
        if (!(value instanceof String s) || s.isEmpty()) {
            throw new MalformedAclException(at + " must be a non-empty topic filter, found " + describe(value));
        }
        return s.replace("${cert_common_name}", "${cert_cn}");
    }

    private static Effect effect(Object value, String at) throws MalformedAclException {
        String v = lower(value);
        if ("allow".equals(v)) {
            return Effect.ALLOW;
        }
        if ("deny".equals(v)) {
            return Effect.DENY;
        }
        throw new MalformedAclException(at + ".permission must be allow or deny, found " + describe(value));
    }

    private static Action action(Object value, String at) throws MalformedAclException {
        String v = lower(value);
        if (v == null) {
            throw new MalformedAclException(at + ".action is required (publish, subscribe or all)");
        }
        switch (v) {
            case "publish":
            case "pub":
                return Action.PUBLISH;
            case "subscribe":
            case "sub":
                return Action.SUBSCRIBE;
            case "all":
                return Action.ALL;
            default:
                throw new MalformedAclException(at + ".action must be publish, subscribe or all, found "
                        + describe(value));
        }
    }

    private static Set<Integer> qos(Object value, String at) throws MalformedAclException {
        if (value == null) {
            return Set.of();
        }
        List<?> levels = value instanceof List<?> l ? l : List.of(value);
        if (levels.isEmpty()) {
            throw new MalformedAclException(at + ".qos must not be empty");
        }
        Set<Integer> out = new HashSet<>();
        for (Object q : levels) {
            if (!(q instanceof Integer || q instanceof Long) || ((Number) q).longValue() < 0
                    || ((Number) q).longValue() > 2) {
                throw new MalformedAclException(at + ".qos must be 0, 1 or 2, found " + describe(q));
            }
            out.add(((Number) q).intValue());
        }
        return out;
    }

    private static Optional<Boolean> retain(Object value, String at) throws MalformedAclException {
        if (value == null || "all".equals(value)) {
            return Optional.empty();
        }
        if (value instanceof Boolean b) {
            return Optional.of(b);
        }
        if ("true".equals(value) || "false".equals(value)) {
            return Optional.of(Boolean.valueOf((String) value));
        }
        throw new MalformedAclException(at + ".retain must be true, false or \"all\", found " + describe(value));
    }

    private static String lower(Object value) {
        return value instanceof String s ? s.trim().toLowerCase(Locale.ROOT) : null;
    }

    private static String describe(Object v) {
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
            return "\"" + safe(s) + "\"";
        }
        return String.valueOf(v);
    }

    private static String safe(String s) {
        return dev.gatehouse.authn.jwt.Refusal.safe(s);
    }
}
