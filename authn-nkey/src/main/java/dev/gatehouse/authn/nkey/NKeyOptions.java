package dev.gatehouse.authn.nkey;

import dev.gatehouse.authn.spi.ConnectionType;
import dev.gatehouse.authn.spi.acl.Permissions;
import java.time.Duration;
import java.util.Optional;

/**
 * Behaviour switches of an {@link NKeyAuthenticator}; see {@code docs/authn-nkey.md} for each.
 *
 * @param method           the MQTT 5 authentication method name (default {@code NKEY})
 * @param nonceSize        random bytes in each challenge (at least 16)
 * @param challengeTimeout how long a nonce may be answered, by the injected clock
 * @param bearerInPassword accept {@code bearer_token} user JWTs in the CONNECT password
 * @param unrestricted     what a JWT user with no permissions at all gets (NATS: everything)
 * @param accountRefresh   how often the account JWTs of live connections are looked up again, so
 *                         that a revocation in a changed one disconnects the user; empty = never
 *                         (only new connects and re-authentications see changes)
 */
public record NKeyOptions(String method, int nonceSize, Duration challengeTimeout, boolean bearerInPassword,
                          Permissions unrestricted, Optional<Duration> accountRefresh) {
    public NKeyOptions {
        if (nonceSize < 16 || nonceSize > 1024) {
            throw new IllegalArgumentException("nonce size must be 16..1024 bytes, not " + nonceSize);
        }
        if (accountRefresh.isPresent() && (accountRefresh.get().isZero() || accountRefresh.get().isNegative())) {
            throw new IllegalArgumentException("the account refresh interval must be positive");
        }
    }

    /** NKEY, 32-byte nonces, 30 s to answer, bearer tokens accepted, allow-all, accounts refreshed every 2 s. */
    public static NKeyOptions defaults() {
        return new NKeyOptions("NKEY", 32, Duration.ofSeconds(30), true, Permissions.allowAll(),
                Optional.of(Duration.ofSeconds(2)));
    }

    /** The NATS connection type ({@code allowed_connection_types}) of how a client reached the broker. */
    static String natsConnectionType(ConnectionType type) {
        return type.webSocket() ? "MQTT_WS" : "MQTT";
    }
}
