package dev.gatehouse.authn.spi.acl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * What a connection may do: an ordered list of {@link Rule}s, first match wins, and a default
 * effect when none matches. Authenticators return this uncompiled; the broker
 * {@link #compile(PlaceholderValues) compiles} it once per connection.
 *
 * <p>Placeholder safety: a placeholder value that is empty, missing, contains {@code + # /} or
 * NUL, or starts with {@code $} can never widen what a client may do. An <em>allow</em> rule
 * with such a value matches nothing; a <em>deny</em> rule with such a value is cut at the
 * offending level and ends in {@code #}, so it denies at least everything it would have denied.
 */
public final class Permissions {
    private static final Permissions ALLOW_ALL = new Permissions(List.of(), Effect.ALLOW);
    private static final Permissions DENY_ALL = new Permissions(List.of(), Effect.DENY);

    private final List<Rule> rules;
    private final Effect defaultEffect;

    private Permissions(List<Rule> rules, Effect defaultEffect) {
        this.rules = List.copyOf(rules);
        this.defaultEffect = Objects.requireNonNull(defaultEffect, "defaultEffect");
    }

    /** Rules in order, then {@code defaultEffect}. */
    public static Permissions of(List<Rule> rules, Effect defaultEffect) {
        return new Permissions(rules, defaultEffect);
    }

    /** No rules, everything allowed. */
    public static Permissions allowAll() {
        return ALLOW_ALL;
    }

    /** No rules, everything denied. */
    public static Permissions denyAll() {
        return DENY_ALL;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Rule> rules() {
        return rules;
    }

    public Effect defaultEffect() {
        return defaultEffect;
    }

    /** These rules followed by {@code fallback}'s rules, ending in {@code fallback}'s default. */
    public Permissions then(Permissions fallback) {
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(fallback.rules);
        return new Permissions(all, fallback.defaultEffect);
    }

    /** Resolve placeholders and pre-split filters for one connection. */
    public CompiledPermissions compile(PlaceholderValues values) {
        List<CompiledPermissions.CompiledRule> compiled = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (rule.isLiteral()) {
                compiled.add(new CompiledPermissions.CompiledRule(rule, i, null,
                        rule.topic().substring(Rule.LITERAL_PREFIX.length())));
                continue;
            }
            Optional<String> filter = resolve(rule.topic(), values, rule.effect());
            if (filter.isPresent()) {
                compiled.add(new CompiledPermissions.CompiledRule(rule, i, TopicFilters.split(filter.get()), null));
            }
        }
        return new CompiledPermissions(compiled, defaultEffect);
    }

    /** The filter with placeholders replaced, or empty when an allow rule must match nothing. */
    private static Optional<String> resolve(String template, PlaceholderValues values, Effect effect) {
        if (template.indexOf("${") < 0) {
            return Optional.of(template);
        }
        String[] levels = TopicFilters.split(template);
        StringBuilder out = new StringBuilder(template.length() + 16);
        for (int i = 0; i < levels.length; i++) {
            Optional<String> level = resolveLevel(levels[i], values);
            if (level.isEmpty()) {
                if (effect == Effect.ALLOW) {
                    return Optional.empty();
                }
                out.append('#');
                return Optional.of(out.toString());
            }
            out.append(level.get());
            if (i < levels.length - 1) {
                out.append('/');
            }
        }
        return Optional.of(out.toString());
    }

    private static Optional<String> resolveLevel(String level, PlaceholderValues values) {
        Matcher m = Rule.PLACEHOLDER.matcher(level);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Optional<String> value = values.get(m.group(1));
            if (value.isEmpty() || !PlaceholderValues.isSafe(value.get())) {
                return Optional.empty();
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value.get()));
        }
        m.appendTail(sb);
        return Optional.of(sb.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permissions p && p.rules.equals(rules) && p.defaultEffect == defaultEffect;
    }

    @Override
    public int hashCode() {
        return rules.hashCode() * 31 + defaultEffect.hashCode();
    }

    @Override
    public String toString() {
        return "Permissions" + rules + " default " + defaultEffect.name().toLowerCase();
    }

    /** Collects rules in order; the default effect is deny unless set. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();
        private Effect defaultEffect = Effect.DENY;

        public Builder rule(Rule rule) {
            rules.add(rule);
            return this;
        }

        public Builder allow(Action action, String topic) {
            return rule(Rule.allow(action, topic));
        }

        public Builder deny(Action action, String topic) {
            return rule(Rule.deny(action, topic));
        }

        public Builder defaultEffect(Effect effect) {
            this.defaultEffect = effect;
            return this;
        }

        public Permissions build() {
            return new Permissions(rules, defaultEffect);
        }
    }
}
