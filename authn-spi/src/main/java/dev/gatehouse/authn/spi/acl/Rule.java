package dev.gatehouse.authn.spi.acl;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One permission rule: {@code allow|deny}, {@code publish|subscribe|all}, a topic filter, and
 * optional QoS and retain conditions.
 *
 * <p>The topic may contain the placeholders {@code ${clientid}}, {@code ${username}} and
 * {@code ${cert_cn}}, replaced once per connection. A topic written {@code "eq <filter>"} is
 * compared literally: no placeholder replacement and no wildcard matching, so {@code eq a/#}
 * allows subscribing to exactly {@code a/#} and publishing to nothing.
 *
 * @param effect allow or deny
 * @param action which packets the rule governs
 * @param topic  the filter as written (with placeholders or the {@code eq } prefix)
 * @param qos    the QoS levels the rule applies to; empty means all
 * @param retain for publish: applies only to messages with this retain flag; empty means both
 */
public record Rule(Effect effect, Action action, String topic, Set<Integer> qos, Optional<Boolean> retain) {
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
    static final Set<String> PLACEHOLDER_NAMES = Set.of("clientid", "username", "cert_cn");
    static final String LITERAL_PREFIX = "eq ";

    public Rule {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(topic, "topic");
        qos = Set.copyOf(qos);
        Objects.requireNonNull(retain, "retain");
        for (int q : qos) {
            if (q < 0 || q > 2) {
                throw new IllegalArgumentException("qos must be 0, 1 or 2, not " + q);
            }
        }
        validateTopic(topic);
    }

    /** An allow rule for every QoS and retain flag. */
    public static Rule allow(Action action, String topic) {
        return new Rule(Effect.ALLOW, action, topic, Set.of(), Optional.empty());
    }

    /** A deny rule for every QoS and retain flag. */
    public static Rule deny(Action action, String topic) {
        return new Rule(Effect.DENY, action, topic, Set.of(), Optional.empty());
    }

    /** A copy that applies only to these QoS levels. */
    public Rule withQos(Integer... levels) {
        return new Rule(effect, action, topic, Set.of(levels), retain);
    }

    /** A copy that applies only to publishes with this retain flag. */
    public Rule withRetain(boolean flag) {
        return new Rule(effect, action, topic, qos, Optional.of(flag));
    }

    /** Whether the topic is an {@code eq } literal. */
    public boolean isLiteral() {
        return topic.startsWith(LITERAL_PREFIX);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder()
                .append(effect.name().toLowerCase()).append(' ')
                .append(action.name().toLowerCase()).append(' ')
                .append(topic);
        if (!qos.isEmpty()) {
            sb.append(" qos=").append(new java.util.TreeSet<>(qos));
        }
        retain.ifPresent(r -> sb.append(" retain=").append(r));
        return sb.toString();
    }

    private static void validateTopic(String topic) {
        if (topic.startsWith(LITERAL_PREFIX)) {
            String literal = topic.substring(LITERAL_PREFIX.length());
            if (!TopicFilters.isValidFilter(literal)) {
                throw new IllegalArgumentException("not a valid topic filter: " + literal);
            }
            return;
        }
        Matcher m = PLACEHOLDER.matcher(topic);
        StringBuilder probe = new StringBuilder();
        while (m.find()) {
            if (!PLACEHOLDER_NAMES.contains(m.group(1))) {
                throw new IllegalArgumentException("unknown placeholder ${" + m.group(1) + "} in " + topic
                        + " (known: ${clientid}, ${username}, ${cert_cn})");
            }
            m.appendReplacement(probe, "x");
        }
        m.appendTail(probe);
        if (probe.indexOf("${") >= 0) {
            throw new IllegalArgumentException("malformed placeholder in " + topic);
        }
        if (!TopicFilters.isValidFilter(probe.toString())) {
            throw new IllegalArgumentException("not a valid topic filter: " + topic);
        }
    }
}
