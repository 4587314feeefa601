package dev.gatehouse.app;

import dev.gatehouse.config.BindAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.broker.Broker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void defaultBrokerAdmitsAnonymousLoopbackClientsWithFullAccess() throws Exception {
        Broker broker = Main.startDefault(BindAddress.parse("127.0.0.1:0"));
        try {
            String url = "tcp://127.0.0.1:" + broker.port("default");
            BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
            MqttClient sub = new MqttClient(url, "sub", new MemoryPersistence());
            MqttClient pub = new MqttClient(url, "pub", new MemoryPersistence());
            MqttConnectOptions opts = new MqttConnectOptions();
            sub.connect(opts);
            sub.subscribe("demo/#", 1, (topic, m) -> got.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
            pub.connect(opts);
            pub.publish("demo/hello", "world".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("demo/hello=world");
            pub.disconnect();
            sub.disconnect();
            pub.close();
            sub.close();
        } finally {
            broker.stop().join();
        }
    }

    @Test
    void bindParsesHostsPortsAndIpv6() {
        assertThat(BindAddress.parse("0.0.0.0:1883")).isEqualTo(new BindAddress("0.0.0.0", 1883));
        assertThat(BindAddress.parse("[::1]:8883")).isEqualTo(new BindAddress("::1", 8883));
        assertThatThrownBy(() -> BindAddress.parse("localhost")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> BindAddress.parse("h:99999")).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> BindAddress.parse("h:x")).hasMessageContaining("number");
    }

    @Test
    void badArgumentsExitWithUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(Main.run(new String[] {"--bogus"}, o, e)).isEqualTo(2);
        assertThat(Main.run(new String[] {"--bind"}, o, e)).isEqualTo(2);
        assertThat(Main.run(new String[] {"--bind", "nope"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument '--bogus'").contains("HOST:PORT");
    }

    @Test
    void aPortInUseExitsNonZeroNamingTheListener() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"--bind", "127.0.0.1:" + taken.getLocalPort()},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("listener default cannot bind");
        }
    }
}
