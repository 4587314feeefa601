package dev.gatehouse.broker;

/** How a listener carries MQTT. */
public enum Transport {
    /** MQTT over plain TCP (conventionally port 1883). */
    TCP,
    /** MQTT over TLS 1.2/1.3 (conventionally 8883). */
    TLS,
    /** MQTT over WebSocket, subprotocol {@code mqtt} (conventionally 80 or 8083). */
    WS,
    /** MQTT over WebSocket over TLS (conventionally 443 or 8084). */
    WSS;

    /** Whether the listener needs a {@link TlsConfig}. */
    public boolean secure() {
        return this == TLS || this == WSS;
    }

    /** Whether MQTT travels in WebSocket frames. */
    public boolean webSocket() {
        return this == WS || this == WSS;
    }
}
