package dev.gatehouse.authn.spi.acl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Permissions} for one connection, placeholders resolved and filters pre-split, so that a
 * check per PUBLISH allocates nothing. Immutable and safe to share across threads.
 */
public final class CompiledPermissions {
    private final CompiledRule[] rules;
    private final AccessResult defaultResult;

    CompiledPermissions(List<CompiledRule> rules, Effect defaultEffect) {
        this.rules = rules.toArray(CompiledRule[]::new);
        this.defaultResult = new AccessResult(defaultEffect == Effect.ALLOW, Optional.empty(), -1);
    }

    /** May this connection publish to {@code topic} at {@code qos} with this retain flag? */
    public AccessResult checkPublish(String topic, int qos, boolean retain) {
        for (CompiledRule r : rules) {
            if (r.appliesTo(Action.PUBLISH, qos)
                    && (r.retain == null || r.retain == retain)
                    && (r.levels == null ? r.literal.equals(topic) : TopicFilters.matches(r.levels, topic))) {
                return r.result;
            }
        }
        return defaultResult;
    }

    /**
     * May this connection subscribe to {@code filter} at {@code qos}? Allowed when an allowing rule
     * covers the whole filter before any deny rule covers it; deny rules that only overlap it
     * become the returned {@link DeliveryFilter}.
     */
    public SubscribeResult checkSubscribe(String filter, int qos) {
        String[] requested = null;
        List<String[]> overlappingDenies = null;
        for (CompiledRule r : rules) {
            if (!r.appliesTo(Action.SUBSCRIBE, qos)) {
                continue;
            }
            if (r.levels == null) {
                if (r.literal.equals(filter)) {
                    return result(r.result, overlappingDenies);
                }
                continue;
            }
            if (requested == null) {
                requested = TopicFilters.split(filter);
            }
            if (TopicFilters.covers(r.levels, requested)) {
                return result(r.result, overlappingDenies);
            }
            if (r.result.allowed() || !TopicFilters.overlaps(r.levels, requested)) {
                continue;
            }
            if (overlappingDenies == null) {
                overlappingDenies = new ArrayList<>();
            }
            overlappingDenies.add(r.levels);
        }
        return result(defaultResult, overlappingDenies);
    }

    private static SubscribeResult result(AccessResult access, List<String[]> overlappingDenies) {
        if (!access.allowed() || overlappingDenies == null) {
            return new SubscribeResult(access, Optional.empty());
        }
        return new SubscribeResult(access,
                Optional.of(new DeliveryFilter(overlappingDenies.toArray(String[][]::new))));
    }

    /** One rule ready for matching: either pre-split {@code levels} or an {@code eq} literal. */
    static final class CompiledRule {
        final String[] levels;
        final String literal;
        final Action action;
        final int qosMask;
        final Boolean retain;
        final AccessResult result;

        CompiledRule(Rule rule, int index, String[] levels, String literal) {
            this.levels = levels;
            this.literal = literal;
            this.action = rule.action();
            int mask = 0;
            for (int q : rule.qos()) {
                mask |= 1 << q;
            }
            this.qosMask = mask == 0 ? 0b111 : mask;
            this.retain = rule.retain().orElse(null);
            this.result = new AccessResult(rule.effect() == Effect.ALLOW, Optional.of(rule), index);
        }

        boolean appliesTo(Action requested, int qos) {
            return action.covers(requested) && (qosMask & (1 << qos)) != 0;
        }
    }
}
