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

    /**
     * A filter that holds back messages matching any of {@code deniedFilters} (valid topic filters), as
     * restored from storage by {@link #deniedFilters()}.
     */
    public static DeliveryFilter denying(java.util.List<String> deniedFilters) {
        return new DeliveryFilter(deniedFilters.stream().map(TopicFilters::split).toArray(String[][]::new));
    }

    /** The filters it denies, to store a subscription and rebuild it with {@link #denying}. */
    public java.util.List<String> deniedFilters() {
        java.util.List<String> out = new java.util.ArrayList<>(denied.length);
        for (String[] f : denied) {
            out.add(String.join("/", f));
        }
        return out;
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
