package com.example.gatehouse;

import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Admits a device whose password is its key: {@code hex(HMAC-SHA256(secret, client id))}. A factory provisions
 * each device with its key; the broker needs only the one secret, no per-device list. An admitted device may
 * publish and subscribe under {@code <topic-root>/<client id>/#} and nowhere else.
 *
 * <p>A CONNECT without a password is not for this authenticator: it abstains, and the next authenticator of
 * the chain (or the listener's anonymous policy) decides. A wrong key is refused as bad credentials.
 */
public final class DeviceKeyAuthenticator implements Authenticator {
    private final SecretKeySpec key;
    private final Permissions permissions;

    DeviceKeyAuthenticator(byte[] secret, String topicRoot) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        // ${clientid} is filled in per connection; a client id with + # or / never widens the rule.
        this.permissions = Permissions.builder()
                .allow(Action.ALL, topicRoot + "/${clientid}/#")
                .build();
    }

    /** The key of a device: what it sends as its MQTT password. */
    public static String keyFor(byte[] secret, String clientId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(clientId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public String name() {
        return "device-key";
    }

    /**
     * Called on a network thread: it must not block. One HMAC is cheap enough to answer at once; anything that
     * waits (a database, an HTTP call) belongs on {@code AuthenticatorContext.blockingExecutor()}.
     */
    @Override
    public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
        if (request.password().isEmpty()) {
            return CompletableFuture.completedFuture(AuthDecision.abstain());
        }
        byte[] expected = expectedKey(request.clientId());
        byte[] given = request.password().get();
        // Constant-time comparison: the time taken does not tell how much of a guess was right.
        if (!MessageDigest.isEqual(expected, given)) {
            // The log message names the client, never the password it sent.
            return CompletableFuture.completedFuture(AuthDecision.failure(FailureReason.BAD_CREDENTIALS,
                    "device-key: wrong key for client " + request.clientId()));
        }
        return CompletableFuture.completedFuture(AuthDecision.success(request.clientId(), permissions));
    }

    private byte[] expectedKey(String clientId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(clientId.getBytes(StandardCharsets.UTF_8)))
                    .getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
