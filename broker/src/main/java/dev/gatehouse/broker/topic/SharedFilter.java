package dev.gatehouse.broker.topic;

import dev.gatehouse.authn.spi.acl.TopicFilters;
import java.util.Optional;

/**
 * A shared-subscription filter {@code $share/<group>/<filter>} (MQTT 5.0 §4.8.2), split into its
 * group name and the filter that matches topics.
 */
public record SharedFilter(String group, String filter) {
    static final String PREFIX = "$share/";

    /** Whether {@code filter} uses the shared-subscription syntax at all (valid or not). */
    public static boolean isShared(String filter) {
        return filter.startsWith(PREFIX);
    }

    /**
     * The parts of a valid shared filter; empty when the group is empty or holds a wildcard, or the
     * inner filter is not a valid topic filter.
     */
    public static Optional<SharedFilter> parse(String filter) {
        if (!isShared(filter)) {
            return Optional.empty();
        }
        int slash = filter.indexOf('/', PREFIX.length());
        if (slash <= PREFIX.length()) {
            return Optional.empty();
        }
        String group = filter.substring(PREFIX.length(), slash);
        String inner = filter.substring(slash + 1);
        if (group.indexOf('+') >= 0 || group.indexOf('#') >= 0 || !TopicFilters.isValidFilter(inner)) {
            return Optional.empty();
        }
        return Optional.of(new SharedFilter(group, inner));
    }

    /** The client id under which the whole group sits in the {@link SubscriptionTree}. */
    String treeKey() {
        return SharedSubscriptions.GROUP_MARKER + group;
    }
}
