package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.core.DropCounters;
import dev.gatehouse.broker.testing.ManualClock;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every message the broker does not deliver or keep is counted under one {@link DropReason}
 * ({@code Broker.drops()}), each reason on its own, and logged by {@link DropCounters} as the first drop per
 * client and reason, never one line per message.
 */
class DropReasonsTest extends FlowTestSupport {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger dropLog = (Logger) LoggerFactory.getLogger(DropCounters.class);

    @BeforeEach
    void captureDropLog() {
        appender.start();
        dropLog.addAppender(appender);
    }

    @AfterEach
    void releaseDropLog() {
        dropLog.detachAppender(appender);
        appender.stop();
    }

    private List<String> dropLines() {
        return List.copyOf(appender.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Only {@code reason} was counted, {@code n} times. */
    private void assertOnlyDropped(DropReason reason, long n) throws InterruptedException {
        await(reason + " drops", () -> broker.broker().drops().get(reason) >= n);
        Map<DropReason, Long> expected = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            expected.put(r, r == reason ? n : 0L);
        }
        assertThat(broker.broker().drops()).isEqualTo(expected);
    }

    /** A persistent MQTT 5 session subscribed to {@code filter} at QoS 1 and then disconnected. */
    private TestClient offlineSubscriber(String filter) throws Exception {
        TestClient sub = client(Kind.HIVEMQ_5);
        sub.connect(false);
        sub.subscribe(filter, 1);
        sub.disconnect();
        return sub;
    }

    @Test
    void aMessageThatExpiresWhileQueuedForAnOfflineSessionIsCountedAsExpired() throws Exception {
        ManualClock clock = new ManualClock();
        restartBroker(limits(), b -> b.clock(clock));
        String t = unique("expire");
        TestClient sub = offlineSubscriber(t);
        Mqtt5BlockingClient pub = hive5Connected();
        pub.publishWith().topic(t).payload(bytes("stale")).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(10).send();
        pub.publishWith().topic(t).payload(bytes("fresh")).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(600).send();
        clock.advance(Duration.ofSeconds(11));

        assertThat(sub.connect(false)).isTrue();
        assertThat(next(sub.inbox()).text()).isEqualTo("fresh");
        assertOnlyDropped(DropReason.EXPIRED, 1);
        assertThat(dropLines()).containsExactly("dropped 1 message(s) for client " + sub.id()
                + ": expired (further drops summarized once a minute)");
    }

    @Test
    void aMessageLargerThanTheSubscribersMaximumPacketSizeIsCountedAsTooLarge() throws Exception {
        String t = unique("large");
        RawMqttClient sub = raw(MqttVersion.MQTT_5);
        String id = unique("small-packets");
        connect(sub, connectPacket(MqttVersion.MQTT_5, id, true)
                .properties(props(MqttPropertyType.MAXIMUM_PACKET_SIZE, 200)).build());
        subscribe(sub, 1, MqttQoS.AT_LEAST_ONCE, t);
        Mqtt5BlockingClient pub = hive5Connected();
        for (int i = 0; i < 3; i++) {
            pub.publishWith().topic(t).payload(new byte[1000]).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        pub.publishWith().topic(t).payload(bytes("fits")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(expectPublish(sub).text()).isEqualTo("fits");
        assertOnlyDropped(DropReason.TOO_LARGE_FOR_CLIENT, 3);
        assertThat(dropLines()).containsExactly("dropped 1 message(s) for client " + id
                + ": larger than the client's maximum packet size (further drops summarized once a minute)");
    }

    @Test
    void aRetainedMessageForANewTopicBeyondTheStoreBoundIsCountedAsRetainedStoreFull() throws Exception {
        restartBroker(limits().withMaxRetainedMessages(2), b -> { });
        String t = unique("kept");
        Mqtt5BlockingClient pub = hive5Connected();
        pub.publishWith().topic(t + "/1").payload(bytes("1")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        pub.publishWith().topic(t + "/2").payload(bytes("2")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        // Replacing a retained topic needs no new place: not a drop.
        pub.publishWith().topic(t + "/1").payload(bytes("1b")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        pub.publishWith().topic(t + "/3").payload(bytes("3")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        pub.publishWith().topic(t + "/4").payload(bytes("4")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        assertOnlyDropped(DropReason.RETAINED_STORE_FULL, 2);
        assertThat(broker.broker().retainedCount()).isEqualTo(2);
        assertThat(dropLines()).containsExactly("dropped a message: retained store full (not retaining " + t
                + "/3; further drops summarized once a minute)");
    }

    @Test
    void aFullOfflineQueueCountsQos1AsQueueFullAndQos0AsSlowConsumerAndLogsTheFirstOfEach() throws Exception {
        restartBroker(limits().withMaxQueuedMessages(3), b -> { });
        String t = unique("full");
        TestClient sub = offlineSubscriber(t);
        Mqtt5BlockingClient pub = hive5Connected();
        for (int i = 0; i < 8; i++) {
            pub.publishWith().topic(t).payload(bytes("q1-" + i)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        await("QoS 1 drops", () -> broker.broker().drops().get(DropReason.QUEUE_FULL) == 5);
        for (int i = 0; i < 6; i++) {
            pub.publishWith().topic(t).payload(bytes("q0-" + i)).qos(MqttQos.AT_MOST_ONCE).send();
        }
        // QoS 0 publishes have no acknowledgement: a QoS 1 one behind them shows they were all routed.
        pub.publishWith().topic(t).payload(bytes("barrier")).qos(MqttQos.AT_LEAST_ONCE).send();
        await("QoS 0 drops", () -> broker.broker().drops().get(DropReason.QOS0_SLOW_CONSUMER) == 6);

        Map<DropReason, Long> drops = broker.broker().drops();
        assertThat(drops.get(DropReason.QUEUE_FULL)).isEqualTo(6); // the 5 and the barrier
        assertThat(drops.get(DropReason.QOS0_SLOW_CONSUMER)).isEqualTo(6);
        assertThat(drops.get(DropReason.EXPIRED) + drops.get(DropReason.TOO_LARGE_FOR_CLIENT)
                + drops.get(DropReason.RETAINED_STORE_FULL)).isZero();
        assertThat(broker.broker().droppedMessages()).isEqualTo(12);

        // Twelve drops, two lines: the first per client and reason.
        assertThat(dropLines()).containsExactly(
                "dropped 1 message(s) for client " + sub.id() + ": queue full (further drops summarized once a minute)",
                "dropped 1 message(s) for client " + sub.id()
                        + ": QoS 0 to a slow consumer (further drops summarized once a minute)");

        // The queue kept the first three, in order.
        assertThat(sub.connect(false)).isTrue();
        assertThat(next(sub.inbox(), 3)).extracting(Received::text).containsExactly("q1-0", "q1-1", "q1-2");
        assertNothingArrives(sub.inbox());
    }

    @Test
    void dropsOfDifferentClientsAreLoggedOncePerClientAndReason() throws Exception {
        restartBroker(limits().withMaxQueuedMessages(1), b -> { });
        String t = unique("two");
        TestClient a = offlineSubscriber(t);
        TestClient b = offlineSubscriber(t);
        Mqtt5BlockingClient pub = hive5Connected();
        for (int i = 0; i < 10; i++) {
            pub.publishWith().topic(t).payload(bytes("m" + i)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        await("drops for both", () -> broker.broker().drops().get(DropReason.QUEUE_FULL) == 18);
        assertThat(dropLines()).containsExactlyInAnyOrder(
                "dropped 1 message(s) for client " + a.id() + ": queue full (further drops summarized once a minute)",
                "dropped 1 message(s) for client " + b.id() + ": queue full (further drops summarized once a minute)");
    }
}
