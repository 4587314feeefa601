package dev.gatehouse.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A known sequence over real sockets (HiveMQ MQTT 5 clients, the JDK's HTTP client), then the counters as scraped
 * from {@code /metrics}, read by a strict text-format reader and cross-checked against the Prometheus client's own
 * protobuf parser; and {@code /health/ready} before the listeners bind and with an authenticator not ready.
 */
class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    private Operations ops;
    private Broker broker;

    /** Refuses user "bad", admits everyone else to publish under ok/ and subscribe to ok/#; answers ready() as told. */
    static final class TestAuthenticator implements Authenticator {
        final AtomicBoolean ready = new AtomicBoolean(true);

        @Override
        public String name() {
            return "test-auth";
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
            if (r.username().orElse("").equals("bad")) {
                return CompletableFuture.completedFuture(AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "bad user"));
            }
            return CompletableFuture.completedFuture(AuthDecision.success(r.clientId(), Permissions.builder()
                    .allow(Action.PUBLISH, "ok/#").allow(Action.SUBSCRIBE, "ok/#").build()));
        }

        @Override
        public boolean ready() {
            return ready.get();
        }
    }

    @AfterEach
    void tearDown() {
        if (broker != null) {
            broker.stop().join();
        }
        if (ops != null) {
            ops.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        int port = ((java.net.InetSocketAddress) opsAddress()).getPort();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private java.net.InetSocketAddress httpAddress;

    private java.net.InetSocketAddress opsAddress() {
        return httpAddress;
    }

    private Mqtt5BlockingClient client(String id, String user) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port("test")).buildBlocking();
        c.connectWith().simpleAuth().username(user).password("pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();
        return c;
    }

    @Test
    void countersAfterAKnownSequenceAndReadiness() throws Exception {
        TestAuthenticator auth = new TestAuthenticator();
        ops = new Operations();
        broker = Broker.builder().listener(ListenerConfig.tcp("test", "127.0.0.1", 0)).ioThreads(2)
                .authenticator(auth).metrics(ops.brokerMetrics()).build();
        httpAddress = ops.startHttp("127.0.0.1", 0).address();

        // Built, not started: alive, not ready (the listeners are not bound yet).
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> notYet = get("/health/ready");
        assertThat(notYet.statusCode()).isEqualTo(503);
        assertThat(notYet.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(notYet.body()).contains("\"ready\":false").contains("\"listeners\":false");

        broker.start().join();
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"UP\",\"ready\":true,\"listeners\":true,"
                + "\"authenticators\":[{\"name\":\"test-auth\",\"ready\":true}]}");

        // 3 CONNECTs: 2 admitted, 1 refused by the authenticator with bad credentials.
        Mqtt5BlockingClient sub = client("sub", "alice");
        CountDownLatch received = new CountDownLatch(10);
        sub.toAsync().subscribeWith().topicFilter("ok/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> received.countDown()).send().join();
        Mqtt5BlockingClient pub = client("pub", "bob");
        assertThatThrownBy(() -> client("refused", "bad")).isInstanceOf(Mqtt5ConnAckException.class);

        // 10 QoS 1 publishes of 5 bytes, then one denied.
        for (int i = 0; i < 10; i++) {
            pub.publishWith().topic("ok/t").qos(MqttQos.AT_LEAST_ONCE).payload("hello".getBytes(StandardCharsets.UTF_8))
                    .send();
        }
        try {
            pub.publishWith().topic("secret/t").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[3]).send();
        } catch (RuntimeException expected) {
            // MQTT 5 PUBACK 0x87: the client reports it as an error
        }
        assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
        pub.disconnect();
        await(() -> broker.stats().clientsConnected() == 1 && broker.stats().connectionsOpen() == 1);

        PrometheusText m = PrometheusText.parse(get("/metrics").body());
        assertThat(m.types).containsEntry("gatehouse_connects_total", "counter")
                .containsEntry("gatehouse_clients_connected", "gauge")
                .containsEntry("gatehouse_auth_latency_seconds", "histogram");
        assertThat(m.value("gatehouse_connects_total", "authenticator", "test-auth", "outcome", "success")).isEqualTo(2);
        assertThat(m.value("gatehouse_connects_total", "authenticator", "test-auth", "outcome", "bad_credentials"))
                .isEqualTo(1);
        assertThat(m.value("gatehouse_auth_latency_seconds_count", "authenticator", "test-auth")).isEqualTo(3);
        assertThat(m.value("gatehouse_messages_received_total", "qos", "1")).isEqualTo(11);
        assertThat(m.value("gatehouse_messages_received_total", "qos", "0")).isEqualTo(0);
        assertThat(m.value("gatehouse_payload_received_bytes_total", "qos", "1")).isEqualTo(53);
        assertThat(m.value("gatehouse_messages_sent_total", "qos", "1")).isEqualTo(10);
        assertThat(m.value("gatehouse_payload_sent_bytes_total", "qos", "1")).isEqualTo(50);
        assertThat(m.value("gatehouse_permission_denials_total", "action", "publish")).isEqualTo(1);
        assertThat(m.value("gatehouse_permission_denials_total", "action", "subscribe")).isEqualTo(0);
        assertThat(m.value("gatehouse_connections_opened_total")).isEqualTo(3);
        assertThat(m.value("gatehouse_connections_closed_total", "reason", "client_disconnect")).isEqualTo(1);
        assertThat(m.value("gatehouse_connections_closed_total", "reason", "connect_refused")).isEqualTo(1);
        assertThat(m.value("gatehouse_connections_open")).isEqualTo(1);
        assertThat(m.value("gatehouse_clients_connected")).isEqualTo(1);
        assertThat(m.value("gatehouse_sessions", "state", "connected")).isEqualTo(1);
        assertThat(m.value("gatehouse_sessions", "state", "offline")).isEqualTo(0);
        assertThat(m.value("gatehouse_subscriptions")).isEqualTo(1);
        assertThat(m.value("gatehouse_messages_dropped_total", "reason", "queue_full")).isEqualTo(0);
        assertThat(m.value("gatehouse_retained_messages")).isEqualTo(0);
        assertThat(m.has("jvm_memory_used_bytes")).isTrue();
        assertThat(m.has("netty_allocator_memory_used")).isTrue();
        // No label carries a client id.
        assertThat(m.samples).noneMatch(s -> s.labels().containsValue("pub") || s.labels().containsValue("sub"));

        // The same figures through the Prometheus client's own protobuf parser.
        int port = httpAddress.getPort();
        HttpResponse<byte[]> proto = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(proto.headers().firstValue("content-type").orElse("")).startsWith("application/vnd.google.protobuf");
        Map<String, Metrics.MetricFamily> families = new HashMap<>();
        try (InputStream in = new ByteArrayInputStream(proto.body())) {
            Metrics.MetricFamily f;
            while ((f = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                families.put(f.getName(), f);
            }
        }
        Metrics.MetricFamily connects = families.get("gatehouse_connects_total");
        assertThat(connects.getType()).isEqualTo(Metrics.MetricType.COUNTER);
        double refused = connects.getMetricList().stream()
                .filter(x -> x.getLabelList().stream().anyMatch(l -> l.getValue().equals("bad_credentials")))
                .mapToDouble(x -> x.getCounter().getValue()).sum();
        assertThat(refused).isEqualTo(1);

        // An authenticator that is not ready makes the broker not ready.
        auth.ready.set(false);
        HttpResponse<String> authDown = get("/health/ready");
        assertThat(authDown.statusCode()).isEqualTo(503);
        assertThat(authDown.body()).contains("{\"name\":\"test-auth\",\"ready\":false}").contains("\"listeners\":true");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        sub.disconnect();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.sleep(10);
        }
    }
}
