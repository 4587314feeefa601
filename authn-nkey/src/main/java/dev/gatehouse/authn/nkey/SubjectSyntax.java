package dev.gatehouse.authn.nkey;

/** How subjects in NATS-style permission lists are read. */
public enum SubjectSyntax {
    /** NATS subjects, mapped to MQTT filters: {@code .} to {@code /}, {@code *} to {@code +}, {@code >} to {@code #}. */
    NATS,
    /** Already MQTT topic filters; used as written. */
    MQTT
}
