package dev.gatehouse.authn.spi.acl;

import java.util.Optional;

/**
 * The outcome of checking a SUBSCRIBE filter. An allowed filter that overlaps earlier deny
 * rules carries a {@link DeliveryFilter}: the subscription is accepted, but each message must
 * pass the filter before it is delivered.
 */
public record SubscribeResult(AccessResult access, Optional<DeliveryFilter> deliveryFilter) {
    public boolean allowed() {
        return access.allowed();
    }
}
