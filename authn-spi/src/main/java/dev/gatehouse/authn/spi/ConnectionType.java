package dev.gatehouse.authn.spi;

/**
 * How a client's connection reached the broker. NATS' {@code allowed_connection_types} {@code MQTT}
 * covers {@link #TCP} and {@link #TLS}, {@code MQTT_WS} covers the WebSocket kinds.
 */
public enum ConnectionType {
    TCP,
    TLS,
    WEBSOCKET,
    SECURE_WEBSOCKET;

    /** Whether MQTT travels in WebSocket frames. */
    public boolean webSocket() {
        return this == WEBSOCKET || this == SECURE_WEBSOCKET;
    }
}
