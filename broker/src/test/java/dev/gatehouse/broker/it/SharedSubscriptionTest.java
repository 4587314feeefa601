package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shared subscriptions ({@code $share/<group>/<filter>}): one member of a group gets each message. */
class SharedSubscriptionTest {
    private TestBroker broker;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        Permissions perms = Permissions.builder()
                .allow(Action.ALL, "work/#")
                .allow(Action.PUBLISH, "secret/#")
                .build();
        broker = TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(perms), b -> { });
    }

    @AfterEach
    void stop() {
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
        broker.close();
    }

    private Mqtt5BlockingClient connect(String id) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id)
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        Mqtt5ConnAck ack = c.connect();
        assertThat(ack.getRestrictions().isSharedSubscriptionAvailable()).isTrue();
        clients.add(c);
        return c;
    }

    private BlockingQueue<String> join(Mqtt5BlockingClient c, String filter) {
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> inbox.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send().join();
        return inbox;
    }

    @Test
    void eachMessageGoesToExactlyOneMemberAndAllMembersGetWork() throws Exception {
        Map<String, BlockingQueue<String>> inboxes = new ConcurrentHashMap<>();
        for (String id : List.of("w1", "w2", "w3")) {
            inboxes.put(id, join(connect(id), "$share/workers/work/+"));
        }
        Mqtt5BlockingClient pub = connect("boss");
        int count = 30;
        for (int i = 0; i < count; i++) {
            pub.publishWith().topic("work/job").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("job-" + i).getBytes(StandardCharsets.UTF_8)).send();
        }
        Set<String> seen = new HashSet<>();
        List<String> all = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (all.size() < count && System.nanoTime() < deadline) {
            for (BlockingQueue<String> q : inboxes.values()) {
                String m = q.poll(10, TimeUnit.MILLISECONDS);
                if (m != null) {
                    all.add(m);
                    seen.add(m);
                }
            }
        }
        assertThat(all).hasSize(count);
        assertThat(seen).hasSize(count);
        for (BlockingQueue<String> q : inboxes.values()) {
            assertThat(q.poll(200, TimeUnit.MILLISECONDS)).as("no duplicates").isNull();
        }
        assertThat(broker.broker().droppedMessages()).isZero();
    }

    @Test
    void sharedAndPlainSubscribersOfOtherClientsBothGetTheMessage() throws Exception {
        BlockingQueue<String> member = join(connect("m1"), "$share/g/work/#");
        BlockingQueue<String> plain = join(connect("p1"), "work/#");
        connect("pub").publishWith().topic("work/x").qos(MqttQos.AT_LEAST_ONCE)
                .payload("hello".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(member.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(plain.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
    }

    @Test
    void whenAMemberLeavesTheOthersGetEverything() throws Exception {
        Mqtt5BlockingClient leaving = connect("leaving");
        join(leaving, "$share/g/work/#");
        BlockingQueue<String> staying = join(connect("staying"), "$share/g/work/#");
        leaving.unsubscribeWith().topicFilter("$share/g/work/#").send();
        Mqtt5BlockingClient pub = connect("pub");
        for (int i = 0; i < 5; i++) {
            pub.publishWith().topic("work/y").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(staying.poll(5, TimeUnit.SECONDS)).isEqualTo("m" + i);
        }
    }

    @Test
    void retainedMessagesAreNotSentToSharedSubscriptions() throws Exception {
        Mqtt5BlockingClient pub = connect("pub");
        pub.publishWith().topic("work/kept").retain(true).qos(MqttQos.AT_LEAST_ONCE)
                .payload("old".getBytes(StandardCharsets.UTF_8)).send();
        BlockingQueue<String> member = join(connect("m"), "$share/g/work/#");
        BlockingQueue<String> plain = join(connect("p"), "work/#");
        assertThat(plain.poll(5, TimeUnit.SECONDS)).isEqualTo("old");
        assertThat(member.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void invalidSharedFiltersAndDeniedOnesAreRefusedPerFilter() {
        Mqtt5BlockingClient c = connect("c");
        Mqtt5SubAck ack;
        try {
            ack = c.subscribeWith()
                    .addSubscription().topicFilter("$share/g/work/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .addSubscription().topicFilter("$share/g/secret/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .send();
        } catch (Mqtt5SubAckException e) {
            ack = e.getMqttMessage();
        }
        assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(broker.broker().connectionCount()).isEqualTo(1);
    }

    @Test
    void mqtt311ClientsCanJoinAGroupAndMalformedGroupsGetTheFailureCode() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + broker.port(), "paho", new MemoryPersistence());
        MqttConnectOptions opts = new MqttConnectOptions();
        opts.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        paho.connect(opts);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        int[] granted = paho.subscribeWithResponse(new String[] {"$share/g/work/#", "$share/+/work/#", "$share/g"},
                new int[] {1, 1, 1}, null).getGrantedQos();
        assertThat(granted).containsExactly(1, 0x80, 0x80);
        paho.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                got.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        broker.broker().publish("work/z", "v3".getBytes(StandardCharsets.UTF_8), 1, false).join();
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("work/z=v3");
        paho.disconnect();
        paho.close();
    }
}
