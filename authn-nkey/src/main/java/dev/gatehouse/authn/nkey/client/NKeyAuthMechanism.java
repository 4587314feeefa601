package dev.gatehouse.authn.nkey.client;

import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * MQTT 5 enhanced authentication with method {@code NKEY} for the HiveMQ MQTT client. Needs
 * {@code com.hivemq:hivemq-mqtt-client} on the class path (an optional dependency of this module).
 *
 * <pre>{@code
 * Mqtt5Client.builder().serverHost(host)
 *     .enhancedAuth(NKeyAuthMechanism.fromCredsFile(Path.of("user.creds")))
 *     .buildBlocking().connect();
 * }</pre>
 *
 * Re-authentication ({@code client.reauth()}) sends the identity again; a supplier lets it pick
 * up a renewed JWT.
 */
public final class NKeyAuthMechanism implements Mqtt5EnhancedAuthMechanism {
    private final MqttUtf8String method;
    private final Supplier<NKeyIdentity> identity;
    private final int timeoutSeconds;
    private volatile NKeyIdentity current;

    public NKeyAuthMechanism(Supplier<NKeyIdentity> identity, String method, int timeoutSeconds) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.method = MqttUtf8String.of(method);
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Method {@code NKEY}, 30 s timeout, one fixed identity. */
    public static NKeyAuthMechanism of(NKeyIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        return new NKeyAuthMechanism(() -> identity, "NKEY", 30);
    }

    /** Read a {@code .creds} file now (and again on each re-authentication). */
    public static NKeyAuthMechanism fromCredsFile(Path creds) {
        return new NKeyAuthMechanism(() -> {
            try {
                return CredsFile.read(creds);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "NKEY", 30);
    }

    @Override
    public MqttUtf8String getMethod() {
        return method;
    }

    @Override
    public int getTimeout() {
        return timeoutSeconds;
    }

    @Override
    public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect, Mqtt5EnhancedAuthBuilder auth) {
        return CompletableFuture.runAsync(() -> {
            current = identity.get();
            auth.data(current.authenticationData());
        });
    }

    @Override
    public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder auth) {
        return CompletableFuture.runAsync(() -> {
            current = identity.get();
            auth.data(current.authenticationData());
        });
    }

    @Override
    public CompletableFuture<Boolean> onServerReAuth(Mqtt5ClientConfig config, Mqtt5Auth auth, Mqtt5AuthBuilder authBuilder) {
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth, Mqtt5AuthBuilder authBuilder) {
        NKeyIdentity id = current;
        if (id == null || auth.getData().isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        ByteBuffer data = auth.getData().get();
        byte[] nonce = new byte[data.remaining()];
        data.duplicate().get(nonce);
        authBuilder.data(id.sign(nonce));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
    }

    @Override
    public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
    }

    @Override
    public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
    }

    @Override
    public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
    }
}
