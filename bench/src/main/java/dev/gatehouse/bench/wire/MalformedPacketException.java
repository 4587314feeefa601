package dev.gatehouse.bench.wire;

/** The broker sent bytes that are not MQTT: the run that saw them cannot be trusted. */
public final class MalformedPacketException extends RuntimeException {
    public MalformedPacketException(String message) {
        super(message);
    }
}
