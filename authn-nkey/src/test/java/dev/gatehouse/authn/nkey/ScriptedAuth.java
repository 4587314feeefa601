package dev.gatehouse.authn.nkey;

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
import java.util.function.Function;

/** A test mechanism: sends fixed CONNECT data and answers the nonce with whatever the test says. */
final class ScriptedAuth implements Mqtt5EnhancedAuthMechanism {
    private final byte[] connectData;
    private final Function<byte[], byte[]> answer;
    volatile byte[] lastNonce;

    /** {@code answer} returning null means: never answer. */
    ScriptedAuth(byte[] connectData, Function<byte[], byte[]> answer) {
        this.connectData = connectData;
        this.answer = answer;
    }

    @Override
    public MqttUtf8String getMethod() {
        return MqttUtf8String.of("NKEY");
    }

    @Override
    public int getTimeout() {
        return 30;
    }

    @Override
    public CompletableFuture<Void> onAuth(Mqtt5ClientConfig c, Mqtt5Connect connect, Mqtt5EnhancedAuthBuilder b) {
        b.data(connectData);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig c, Mqtt5AuthBuilder b) {
        b.data(connectData);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig c, Mqtt5Auth auth, Mqtt5AuthBuilder b) {
        ByteBuffer data = auth.getData().orElseThrow();
        byte[] nonce = new byte[data.remaining()];
        data.duplicate().get(nonce);
        lastNonce = nonce;
        byte[] a = answer.apply(nonce);
        if (a == null) {
            return new CompletableFuture<>(); // never answers
        }
        b.data(a);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig c, Mqtt5ConnAck connAck) {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig c, Mqtt5Auth auth) {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public void onAuthRejected(Mqtt5ClientConfig c, Mqtt5ConnAck connAck) {
    }

    @Override
    public void onReAuthRejected(Mqtt5ClientConfig c, Mqtt5Disconnect disconnect) {
    }

    @Override
    public void onAuthError(Mqtt5ClientConfig c, Throwable cause) {
    }

    @Override
    public void onReAuthError(Mqtt5ClientConfig c, Throwable cause) {
    }
}
