package dev.gatehouse.broker;

/**
 * Receives {@link BrokerEvent}s. Called on a network thread: return quickly, never block; hand
 * anything slow to your own executor. An exception thrown here is logged and otherwise ignored.
 */
@FunctionalInterface
public interface BrokerEventListener {
    void onEvent(BrokerEvent event);
}
