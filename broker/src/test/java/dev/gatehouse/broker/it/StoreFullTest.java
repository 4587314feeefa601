package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.MemoryStateStore;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.broker.store.StoredState;
import dev.gatehouse.broker.testing.TestBroker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * When the store says it is full, QoS 1/2 PUBLISHes are refused rather than acknowledged and lost
 * (5.0: 0x97 Quota exceeded, 3.1.1: the connection is closed), while QoS 0 keeps flowing.
 */
class StoreFullTest {
    /** A real in-memory store whose "disk" can be declared full, as a durable store does past max-disk. */
    private static final class FillableStore implements StateStore {
        final MemoryStateStore delegate = new MemoryStateStore();
        final AtomicBoolean full = new AtomicBoolean();

        @Override
        public StoredState load() {
            return delegate.load();
        }

        @Override
        public CompletableFuture<Void> commit(Changes changes) {
            return delegate.commit(changes);
        }

        @Override
        public boolean full() {
            return full.get();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private final FillableStore store = new FillableStore();

    private TestBroker start() {
        return TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                        .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.stateStore(store));
    }

    @Test
    void mqtt5QoS1IsRefusedWithQuotaExceededAndQos0StillFlows() throws Exception {
        try (TestBroker broker = start()) {
            Mqtt5BlockingClient sub = hivemq(broker, "full-sub");
            sub.connect();
            try (var inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                sub.subscribeWith().topicFilter("full/#").qos(MqttQos.AT_LEAST_ONCE).send();
                Mqtt5BlockingClient pub = hivemq(broker, "full-pub");
                pub.connect();
                store.full.set(true);
                Throwable refused = catchThrowable(() -> pub.publishWith().topic("full/1").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(new byte[] {1}).send());
                assertThat(refused).isInstanceOf(Mqtt5PubAckException.class);
                assertThat(((Mqtt5PubAckException) refused).getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
                pub.publishWith().topic("full/0").qos(MqttQos.AT_MOST_ONCE).payload(new byte[] {0}).send();
                var got = inbox.receive(10, TimeUnit.SECONDS);
                assertThat(got).isPresent();
                assertThat(got.get().getTopic().toString()).isEqualTo("full/0");

                store.full.set(false);
                pub.publishWith().topic("full/2").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {2}).send();
                assertThat(inbox.receive(10, TimeUnit.SECONDS).map(p -> p.getTopic().toString())).contains("full/2");
                pub.disconnect();
            }
            sub.disconnect();
        }
    }

    @Test
    void mqtt311QoS1ClosesTheConnectionWithoutAnAck() throws Exception {
        try (TestBroker broker = start()) {
            var paho = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + broker.port(), "full-311",
                    new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setAutomaticReconnect(false);
            paho.connect(o);
            store.full.set(true);
            Throwable t = catchThrowable(() -> paho.publish("full/x", new byte[] {1}, 1, false));
            assertThat(t).isInstanceOf(MqttException.class);
            assertThat(paho.isConnected()).isFalse();
            paho.close();
        }
    }

    private static Mqtt5BlockingClient hivemq(TestBroker broker, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
    }
}
