package dev.gatehouse.authn.spi;

import java.util.Objects;

/** One MQTT 5 user property; a packet may carry the same name more than once, in order. */
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
