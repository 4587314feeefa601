package dev.gatehouse.broker;

/**
 * What the broker does with an MQTT 3.1/3.1.1 PUBLISH that the permissions deny. Those versions have
 * no reason code to say "not authorized" on PUBACK, so the broker either pretends success or hangs up.
 * MQTT 5 clients always get PUBACK/PUBREC 0x87 (QoS 0: dropped) and keep their connection.
 */
public enum DeniedPublishAction {
    /** Acknowledge as usual and drop the message. The default, as in Mosquitto and EMQX. */
    ACK_AND_DROP,
    /** Close the connection (the will is published: the client misbehaved). */
    DISCONNECT
}
