package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.gatehouse.config.passwd.PasswordFile;
import dev.gatehouse.config.passwd.PasswordHash;
import dev.gatehouse.broker.testing.TestPki;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brokers built from configuration files, exercised with real MQTT clients over loopback. */
class ConfiguredBrokerTest {
    @TempDir
    Path dir;

    private ConfiguredBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private ConfiguredBroker start(String hocon) {
        broker = ConfiguredBroker.create(GatehouseConfig.parseString(hocon, dir, Map.of()));
        broker.start().join();
        return broker;
    }

    private static Mqtt5BlockingClient hivemq(int port) {
        return MqttClient.builder().useMqttVersion5().identifier("c-" + System.nanoTime())
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
    }

    @Test
    void tcpWsAndTlsListenersFromOneFileCarryMqttBetweenRealClients() throws Exception {
        TestPki pki = new TestPki(dir);
        pki.issue("broker", true);
        start("""
                gatehouse {
                  io-threads = 2
                  listeners = [
                    { name = plain, type = tcp, bind = "127.0.0.1:0", anonymous = loopback-only, anonymous-permissions = allow-all }
                    { name = web, type = ws, bind = "127.0.0.1:0", anonymous = allow, websocket-path = "/mqtt"
                      anonymous-permissions = [ { permission = allow, action = all, topic = "t/#" } ] }
                    { name = secure, type = tls, bind = "127.0.0.1:0", anonymous = allow, anonymous-permissions = allow-all
                      tls { cert = broker.crt, key = broker.key } }
                  ]
                }
                """);
        int tcp = broker.broker().port("plain");
        int ws = broker.broker().port("web");
        int tls = broker.broker().port("secure");

        Mqtt5BlockingClient sub = hivemq(tcp);
        sub.connect();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        sub.toAsync().subscribeWith().topicFilter("t/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> got.add(p.getTopic() + "=" + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send().join();

        org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ws://127.0.0.1:" + ws + "/mqtt", "paho-ws", new MemoryPersistence());
        paho.connect(new MqttConnectOptions());
        paho.publish("t/ws", "via websocket".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("t/ws=via websocket");
        paho.disconnect();
        paho.close();

        Mqtt5BlockingClient secure = MqttClient.builder().useMqttVersion5().identifier("tls-client")
                .serverHost("127.0.0.1").serverPort(tls)
                .sslConfig().trustManagerFactory(pki.trustManagers()).applySslConfig().buildBlocking();
        secure.connect();
        secure.publishWith().topic("t/tls").qos(MqttQos.AT_LEAST_ONCE)
                .payload("via tls".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("t/tls=via tls");
        secure.disconnect();
        sub.disconnect();
    }

    @Test
    void passwordFileUsersGetTheirOwnPermissionsAndEveryoneElseIsRefused() throws Exception {
        Path passwd = dir.resolve("users.passwd");
        PasswordFile.upsert(passwd, "alice", PasswordHash.create("alice-pw".getBytes(StandardCharsets.UTF_8), 1000,
                new SecureRandom()));
        PasswordFile.upsert(passwd, "bob", PasswordHash.create("bob-pw".getBytes(StandardCharsets.UTF_8), 1000,
                new SecureRandom()));
        start("""
                gatehouse {
                  listeners = [ { name = devices, bind = "127.0.0.1:0" } ]
                  authentication = [
                    { type = password-file, file = users.passwd
                      default-permissions = [ { permission = allow, action = all, topic = "users/${username}/#" } ]
                      users { alice { permissions = [ { permission = allow, action = all, topic = "#" } ] } } }
                  ]
                }
                """);
        int port = broker.broker().port("devices");
        assertThat(broker.authenticators()).extracting(ConfiguredBroker.Built::type).containsExactly("password-file");

        Mqtt5BlockingClient bob = hivemq(port);
        bob.connectWith().simpleAuth().username("bob").password("bob-pw".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        assertThat(pubAck(bob, "users/bob/x"))
                .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(pubAck(bob, "users/alice/x"))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        bob.disconnect();

        Mqtt5BlockingClient alice = hivemq(port);
        alice.connectWith().simpleAuth().username("alice").password("alice-pw".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        assertThat(pubAck(alice, "users/bob/x"))
                .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        alice.disconnect();

        Mqtt5BlockingClient wrong = hivemq(port);
        assertThatThrownBy(() -> wrong.connectWith().simpleAuth().username("alice")
                .password("nope".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        Mqtt5BlockingClient stranger = hivemq(port);
        assertThatThrownBy(() -> stranger.connectWith().simpleAuth().username("mallory")
                .password("x".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        Mqtt5BlockingClient anonymous = hivemq(port);
        assertThatThrownBy(anonymous::connect)
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));

        // MQTT 3.1.1 (Paho): wrong password is return code 4.
        org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + port, "paho", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("bob");
        o.setPassword("wrong".toCharArray());
        assertThatThrownBy(() -> paho.connect(o)).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        o.setPassword("bob-pw".toCharArray());
        paho.connect(o);
        paho.disconnect();
        paho.close();
    }

    private static Mqtt5PubAckReasonCode pubAck(Mqtt5BlockingClient c, String topic) {
        try {
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .send()).getPubAck().getReasonCode();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    @Test
    void bindOverrideReplacesTheFirstListenersAddress() throws Exception {
        broker = ConfiguredBroker.create(GatehouseConfig.parseString(
                "gatehouse.listeners = [ { name = a, bind = \"127.0.0.1:1\" }, { name = b, bind = \"127.0.0.1:0\" } ]",
                dir, Map.of()), ConfiguredBroker.Options.defaults().withBindOverride(BindAddress.parse("127.0.0.1:0")));
        broker.start().join();
        assertThat(broker.broker().port("a")).isPositive();
        assertThat(broker.broker().port("b")).isPositive();
    }

    @Test
    void aListenerThatCannotBindFailsStartNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            broker = ConfiguredBroker.create(GatehouseConfig.parseString("gatehouse.listeners = [ { name = busy, bind = \"127.0.0.1:"
                    + taken.getLocalPort() + "\" } ]", dir, Map.of()));
            assertThatThrownBy(() -> broker.start().join()).hasMessageContaining("busy");
        }
    }
}
