package dev.gatehouse.bench.load;

/**
 * What a client presents in CONNECT: username and password (a JWT goes in the password) and, for
 * MQTT 5 enhanced authentication, a method and initial data. All null means anonymous.
 */
public record Credentials(String username, byte[] password, String authMethod, byte[] authData) {
    public static final Credentials ANONYMOUS = new Credentials(null, null, null, null);
}
