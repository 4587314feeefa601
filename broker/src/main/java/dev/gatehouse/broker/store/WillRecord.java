package dev.gatehouse.broker.store;

import dev.gatehouse.broker.message.Message;
import java.util.Objects;

/**
 * A will waiting for its delay while its session is offline (MQTT 5 Will Delay Interval).
 *
 * @param publishAtMillis epoch millis (the broker's clock) when it is due; a will whose instant passed
 *                        while the broker was down is published at start
 */
public record WillRecord(Message message, long publishAtMillis) {
    public WillRecord {
        Objects.requireNonNull(message, "message");
    }
}
