package dev.gatehouse.broker.core;

import java.util.concurrent.CompletableFuture;

/** What the core needs from a live connection: to take it over, or to close it when the broker stops. */
public interface ClientConnection {

    /** Close because another connection claims the same client id; completes once the session is detached. */
    CompletableFuture<Void> takeOver();

    /** Close because the broker stops (MQTT 5: DISCONNECT 0x8B); completes once closed. */
    CompletableFuture<Void> shutdown();
}
