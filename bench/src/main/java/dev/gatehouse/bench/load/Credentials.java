package dev.gatehouse.bench.load;

import java.util.function.UnaryOperator;

/**
 * What a client presents in CONNECT: username and password (a JWT goes in the password) and, for
 * MQTT 5 enhanced authentication, a method and initial data. All null means anonymous.
 *
 * <p>{@code challenge}, when set, answers the broker's AUTH 0x18 (continue authentication) before
 * CONNACK: it gets the broker's authentication data (for NKEY, the nonce) and returns the client's
 * (the Ed25519 signature), which goes back in an AUTH 0x18 with the same method.
 */
public record Credentials(String username, byte[] password, String authMethod, byte[] authData,
                          UnaryOperator<byte[]> challenge) {
    public static final Credentials ANONYMOUS = new Credentials(null, null, null, null);

    public Credentials(String username, byte[] password, String authMethod, byte[] authData) {
        this(username, password, authMethod, authData, null);
    }

    /** A token in the CONNECT password (JWT {@code from = password}); the user name is free. */
    public static Credentials password(String username, byte[] password) {
        return new Credentials(username, password, null, null, null);
    }

    /** MQTT 5 enhanced authentication with a challenge: method, initial data, and how to answer. */
    public static Credentials challenge(String method, byte[] initialData, UnaryOperator<byte[]> answer) {
        return new Credentials(null, null, method, initialData, answer);
    }
}
