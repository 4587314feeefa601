package dev.gatehouse.authn.spi;

/** The MQTT protocol version a client connected with. */
public enum MqttVersion {
    /** MQTT 3.1 (protocol name {@code MQIsdp}, level 3). */
    V3_1(3),
    /** MQTT 3.1.1 (level 4). */
    V3_1_1(4),
    /** MQTT 5.0 (level 5). */
    V5(5);

    private final int level;

    MqttVersion(int level) {
        this.level = level;
    }

    /** The protocol level byte carried in CONNECT. */
    public int level() {
        return level;
    }

    /** Whether this version has reason codes, properties and the AUTH packet. */
    public boolean isV5() {
        return this == V5;
    }
}
