package dev.gatehouse.broker;

/**
 * The broker's metrics seam: what it reports as it happens, for an adapter to a metrics library (the jar's is
 * Micrometer with a Prometheus registry). The broker itself depends on no metrics library. Counters and gauges
 * are read from {@link BrokerStats} when scraped and need nothing here; this interface carries only the events
 * that are samples (a latency) or whose labels are only known as they happen (an authenticator's name).
 *
 * <p>Called on network threads, never per message: implementations must be quick and must not block.
 */
public interface BrokerMetrics {

    /** Records nothing; the default. */
    BrokerMetrics NONE = new BrokerMetrics() {
    };

    /**
     * The broker was built: {@code stats} is its live view, valid for the broker's life. Called once, before
     * {@link Broker#start()}.
     */
    default void bind(Broker broker, BrokerStats stats) {
    }

    /**
     * The authenticator chain answered a CONNECT (re-authentications are not counted).
     *
     * @param authenticator the name of the authenticator that decided, {@code anonymous} for the anonymous
     *                      policy, {@code broker} for a refusal by the broker itself (timeout, unknown method)
     * @param outcome       {@code success} or the {@link dev.gatehouse.authn.spi.FailureReason} in lower case
     *                      ({@code bad_credentials}, {@code not_authorized}, ...)
     * @param nanos         from the CONNECT to the answer, AUTH round trips of a challenge included
     */
    default void connectDecided(String authenticator, String outcome, long nanos) {
    }
}
