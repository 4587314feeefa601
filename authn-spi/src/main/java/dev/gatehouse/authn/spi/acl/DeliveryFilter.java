package dev.gatehouse.authn.spi.acl;

/**
 * The deny rules that a granted subscription overlaps; a message whose topic one of them matches
 * is not delivered to that subscription.
 */
public final class DeliveryFilter {
    private final String[][] denied;

    DeliveryFilter(String[][] denied) {
        this.denied = denied;
    }

    /** Whether a message on {@code topic} may be delivered. Allocates nothing. */
    public boolean permits(String topic) {
        for (String[] filter : denied) {
            if (TopicFilters.matches(filter, topic)) {
                return false;
            }
        }
        return true;
    }
}
