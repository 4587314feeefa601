package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Keep-alive enforcement (1.5 x the interval), PINGREQ, and MQTT 5 Server Keep Alive. */
class KeepAliveTest extends FlowTestSupport {

    @Test
    void silent311ClientIsClosed() throws Exception {
        RawMqttClient c = raw(MqttVersion.MQTT_3_1_1);
        connect(c, connectPacket(MqttVersion.MQTT_3_1_1, unique("ka3"), true).keepAlive(1).build());
        assertThat(c.closedWithin(WAIT)).isTrue();
    }

    @Test
    void silent5ClientGetsDisconnectKeepAliveTimeout() throws Exception {
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        connect(c, connectPacket(MqttVersion.MQTT_5, unique("ka5"), true).keepAlive(1).build());
        MqttMessage d = expect(c, MqttMessageType.DISCONNECT);
        assertThat(reasonCode(d)).isEqualTo(0x8D);
        assertThat(c.closedWithin(WAIT)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void pingreqKeepsTheConnectionAlive(MqttVersion v) throws Exception {
        RawMqttClient c = raw(v);
        connect(c, connectPacket(v, unique("ping"), true).keepAlive(1).build());
        // 2.1 s of pings every 300 ms: beyond the 1.5 s limit, never idle for as long as the interval
        for (int i = 0; i < 7; i++) {
            Thread.sleep(300);
            c.send(MqttMessage.PINGREQ);
            expect(c, MqttMessageType.PINGRESP);
        }
        c.send(publishPacket(unique("ping"), MqttQoS.AT_LEAST_ONCE, 9, bytes("still here")));
        assertThat(packetIdOf(expect(c, MqttMessageType.PUBACK))).isEqualTo(9);
    }

    @Test
    void keepAliveZeroNeverTimesOut() throws Exception {
        RawMqttClient c = raw(MqttVersion.MQTT_3_1_1);
        connect(c, connectPacket(MqttVersion.MQTT_3_1_1, unique("ka0"), true).keepAlive(0).build());
        Thread.sleep(2000); // longer than any keep-alive timeout used in these tests
        c.send(MqttMessage.PINGREQ);
        expect(c, MqttMessageType.PINGRESP);
    }

    @Test
    void keepAliveTimeoutPublishesTheWill() throws Exception {
        String willTopic = unique("ka-will");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(MqttVersion.MQTT_3_1_1);
        connect(c, connectPacket(MqttVersion.MQTT_3_1_1, unique("ka-will"), true).keepAlive(1).willFlag(true)
                .willTopic(willTopic).willMessage(bytes("timed out")).willQoS(MqttQoS.AT_LEAST_ONCE).build());
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("timed out");
        assertThat(c.closedWithin(WAIT)).isTrue();
    }

    @Test
    void serverKeepAliveIsAnnouncedAndEnforced() throws Exception {
        restartBroker(limits().withServerKeepAlive(1), b -> { });
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        MqttConnAckMessage ack = connect(c, connectPacket(MqttVersion.MQTT_5, unique("ska"), true).keepAlive(60).build());
        assertThat(intProp(ack.variableHeader().properties(), MqttPropertyType.SERVER_KEEP_ALIVE)).isEqualTo(1);
        // the client asked for 60 s but the server's 1 s applies
        MqttMessage d = expect(c, MqttMessageType.DISCONNECT);
        assertThat(reasonCode(d)).isEqualTo(0x8D);
    }

    /**
     * A 3.1.1 client cannot be told about a Server Keep Alive, so holding it to one shorter than its own is
     * dropping a client that keeps its promise. Refusing it at CONNECT (as Mosquitto's max_keepalive does) would
     * be fine too.
     */
    @Test
    void a311ClientKeepingItsOwnKeepAliveIsNotDroppedForTheServerKeepAlive() throws Exception {
        restartBroker(limits().withServerKeepAlive(1), b -> { });
        RawMqttClient c = raw(MqttVersion.MQTT_3_1_1);
        c.send(connectPacket(MqttVersion.MQTT_3_1_1, unique("ska3"), true).keepAlive(3).build());
        MqttConnAckMessage ack = expect(c, MqttMessageType.CONNACK);
        if (ack.variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            return;
        }
        Thread.sleep(2000); // within the client's 3 s, beyond 1.5 x the server's 1 s
        c.send(MqttMessage.PINGREQ);
        expect(c, MqttMessageType.PINGRESP);
    }

    @Test
    void aRealClientFollowsTheServerKeepAlive() throws Exception {
        restartBroker(limits().withServerKeepAlive(1), b -> { });
        String t = unique("ska-hive");
        Mqtt5BlockingClient c = track(hive5Builder(unique("ska-hive"), port()).buildBlocking());
        BlockingQueue<Mqtt5Publish> inbox = inbox(c);
        Mqtt5ConnAck ack = c.connectWith().keepAlive(60).send();
        assertThat(ack.getServerKeepAlive()).hasValue(1);
        c.subscribeWith().topicFilter(t).qos(MqttQos.AT_LEAST_ONCE).send();

        // Idle for twice the 1.5 s limit: the client's own PINGREQs at 1 s must keep it connected.
        Thread.sleep(3000);
        assertThat(c.getState().isConnected()).isTrue();
        broker.broker().publish(t, bytes("alive"), 1, false).join();
        assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("alive");
    }
}
