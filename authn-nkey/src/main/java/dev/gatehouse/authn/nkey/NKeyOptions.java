package dev.gatehouse.authn.nkey;

import dev.gatehouse.authn.spi.acl.Permissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Behaviour switches of an {@link NKeyAuthenticator}; see {@code docs/authn-nkey.md} for each.
 *
 * @param method                  the MQTT 5 authentication method name (default {@code NKEY})
 * @param nonceSize               random bytes in each challenge (at least 16)
 * @param challengeTimeout        how long a nonce may be answered, by the injected clock
 * @param bearerInPassword        accept {@code bearer_token} user JWTs in the CONNECT password
 * @param connectionType          the NATS connection type of this broker's listeners ({@code MQTT})
 * @param listenerConnectionTypes per-listener overrides, e.g. a WebSocket listener as {@code MQTT_WS}
 * @param unrestricted            what a JWT user with no permissions at all gets (NATS: everything)
 * @param recheckInterval         when set, no admission lasts longer: the client must re-authenticate
 *                                (MQTT 5) or reconnect, so revocations apply within this interval
 */
public record NKeyOptions(String method, int nonceSize, Duration challengeTimeout, boolean bearerInPassword,
                          String connectionType, Map<String, String> listenerConnectionTypes,
                          Permissions unrestricted, Optional<Duration> recheckInterval) {
    public NKeyOptions {
        if (nonceSize < 16 || nonceSize > 1024) {
            throw new IllegalArgumentException("nonce size must be 16..1024 bytes, not " + nonceSize);
        }
        listenerConnectionTypes = Map.copyOf(listenerConnectionTypes);
    }

    /** NKEY, 32-byte nonces, 30 s to answer, bearer tokens accepted, connection type MQTT, no recheck. */
    public static NKeyOptions defaults() {
        return new NKeyOptions("NKEY", 32, Duration.ofSeconds(30), true, "MQTT", Map.of(), Permissions.allowAll(),
                Optional.empty());
    }

    String connectionTypeOf(String listener) {
        return listenerConnectionTypes.getOrDefault(listener, connectionType);
    }
}
