package dev.gatehouse.broker.session;

import dev.gatehouse.broker.message.Message;

/** A CONNECT's will: the message to publish on abnormal loss, after {@code delaySeconds} (MQTT 5 Will Delay). */
public record Will(Message message, long delaySeconds) {
}
