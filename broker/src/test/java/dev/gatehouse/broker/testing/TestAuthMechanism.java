package dev.gatehouse.broker.testing;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HiveMQ client's enhanced-authentication callbacks with test defaults: {@link #connectData()} goes
 * with CONNECT and with every re-authentication, a server challenge ends the exchange unless
 * {@link #answer} is overridden, server-started re-authentication is declined, and rejections are kept
 * for assertions.
 */
public abstract class TestAuthMechanism implements Mqtt5EnhancedAuthMechanism {
    private final String method;
    private final int timeoutSeconds;
    public final AtomicReference<Mqtt5ConnAck> rejected = new AtomicReference<>();
    public final AtomicReference<Mqtt5Disconnect> reauthRejected = new AtomicReference<>();

    protected TestAuthMechanism(String method, int timeoutSeconds) {
        this.method = method;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The authentication data of CONNECT and of a client-started re-authentication. */
    protected abstract byte[] connectData();

    /**
     * The answer to a server challenge carrying {@code data}; null (the default) ends the exchange as failed,
     * an incomplete future never answers.
     */
    protected CompletableFuture<byte[]> answer(byte[] data) {
        return null;
    }

    /** A copy of a buffer's remaining bytes, leaving the buffer as it was. */
    public static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    @Override
    public MqttUtf8String getMethod() {
        return MqttUtf8String.of(method);
    }

    @Override
    public int getTimeout() {
        return timeoutSeconds;
    }

    @Override
    public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect, Mqtt5EnhancedAuthBuilder auth) {
        auth.data(connectData());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder auth) {
        auth.data(connectData());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> onServerReAuth(Mqtt5ClientConfig config, Mqtt5Auth auth, Mqtt5AuthBuilder b) {
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth, Mqtt5AuthBuilder b) {
        CompletableFuture<byte[]> a = answer(auth.getData().map(TestAuthMechanism::bytes).orElse(new byte[0]));
        if (a == null) {
            return CompletableFuture.completedFuture(false);
        }
        return a.thenApply(data -> {
            b.data(data);
            return true;
        });
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
        rejected.set(connAck);
    }

    @Override
    public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
        reauthRejected.set(disconnect);
    }

    @Override
    public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
    }

    @Override
    public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
    }
}
