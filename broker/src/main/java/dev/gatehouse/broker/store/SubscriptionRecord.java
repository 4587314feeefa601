package dev.gatehouse.broker.store;

import java.util.List;
import java.util.Objects;

/**
 * A subscription as stored: the filter and its MQTT 5 options, and the deny filters of the permissions
 * it was granted under (so that a restored subscription delivers no more than it did before the restart).
 *
 * @param deniedFilters topic filters whose messages this subscription must not deliver; empty when none
 */
public record SubscriptionRecord(String filter, int qos, boolean noLocal, boolean retainAsPublished,
                                 int retainHandling, int subscriptionId, List<String> deniedFilters) {
    public SubscriptionRecord {
        Objects.requireNonNull(filter, "filter");
        deniedFilters = List.copyOf(deniedFilters);
    }
}
