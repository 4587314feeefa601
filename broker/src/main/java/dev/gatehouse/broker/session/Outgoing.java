package dev.gatehouse.broker.session;

/** One PUBLISH to write, taken from a session under its lock and written after it is released. */
public record Outgoing(Delivery delivery, int packetId, boolean dup) {
}
