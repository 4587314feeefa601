package dev.gatehouse.broker.store;

import java.util.List;
import java.util.Objects;

/**
 * What survives of a session between connections and across restarts, apart from its messages.
 *
 * @param expiryIntervalSeconds the granted session expiry interval ({@code Session.NEVER_EXPIRES} for never)
 * @param disconnectedAtMillis  epoch millis when its last connection ended, 0 while one is attached; expiry
 *                              counts from here, across downtime
 * @param subscriptions         its subscriptions, in the order they were made
 * @param pendingWill           a delayed will waiting to be published, or null
 */
public record SessionRecord(String clientId, long expiryIntervalSeconds, long disconnectedAtMillis,
                            List<SubscriptionRecord> subscriptions, WillRecord pendingWill) {
    public SessionRecord {
        Objects.requireNonNull(clientId, "clientId");
        subscriptions = List.copyOf(subscriptions);
    }
}
