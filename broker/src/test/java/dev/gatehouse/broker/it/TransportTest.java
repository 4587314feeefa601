package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.TlsConfig;
import dev.gatehouse.broker.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, mutual TLS, WebSocket and secure WebSocket listeners with real clients. */
class TransportTest {
    @TempDir
    Path dir;

    private TestPki pki;
    private TestPki.Identity server;
    private Broker broker;

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(dir);
        server = pki.issue("broker", true);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.stop().join();
        }
    }

    private int start(ListenerConfig l, Authenticator... authenticators) {
        Broker.Builder b = Broker.builder().listener(l).ioThreads(2);
        for (Authenticator a : authenticators) {
            b.authenticator(a);
        }
        broker = b.build();
        broker.start().join();
        return broker.port(l.name());
    }

    private static ListenerConfig open(ListenerConfig l) {
        return l.withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll());
    }

    private TlsConfig serverTls() {
        return TlsConfig.of(new TlsConfig.Pem(server.certFile, server.keyFile));
    }

    private static Mqtt5BlockingClient client(int port, UnaryOperator<Mqtt5ClientBuilder> transport) {
        return transport.apply(MqttClient.builder().useMqttVersion5().identifier("c-" + System.nanoTime())
                .serverHost("127.0.0.1").serverPort(port)).buildBlocking();
    }

    /** Subscribes, publishes to itself and returns what came back. */
    private static String roundTrip(Mqtt5BlockingClient c) throws InterruptedException {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        c.toAsync().subscribeWith().topicFilter("t/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> got.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))).send().join();
        c.publishWith().topic("t/1").qos(MqttQos.AT_LEAST_ONCE).payload("over the wire".getBytes(StandardCharsets.UTF_8))
                .send();
        return got.poll(5, TimeUnit.SECONDS);
    }

    @Test
    void tlsListenerCarriesMqtt() throws Exception {
        int port = start(open(ListenerConfig.tls("tls", "127.0.0.1", 0, serverTls())));
        TrustManagerHolder trust = new TrustManagerHolder(pki);
        Mqtt5BlockingClient c = client(port, b -> b.sslConfig().trustManagerFactory(trust.tmf).applySslConfig());
        c.connect();
        assertThat(roundTrip(c)).isEqualTo("over the wire");
        c.disconnect();
    }

    @Test
    void tlsFromPkcs12Works() throws Exception {
        char[] pw = "s3cret".toCharArray();
        TlsConfig tls = TlsConfig.of(new TlsConfig.Pkcs12(server.pkcs12(pw), pw));
        int port = start(open(ListenerConfig.tls("tls", "127.0.0.1", 0, tls)));
        TrustManagerHolder trust = new TrustManagerHolder(pki);
        Mqtt5BlockingClient c = client(port, b -> b.sslConfig().trustManagerFactory(trust.tmf).applySslConfig());
        c.connect();
        assertThat(roundTrip(c)).isEqualTo("over the wire");
        c.disconnect();
    }

    @Test
    void plainClientOnATlsListenerIsRefusedAndTheListenerKeepsServing() throws Exception {
        int port = start(open(ListenerConfig.tls("tls", "127.0.0.1", 0, serverTls())));
        Mqtt5BlockingClient plain = client(port, b -> b);
        assertThatThrownBy(plain::connect).isInstanceOf(RuntimeException.class);
        TrustManagerHolder trust = new TrustManagerHolder(pki);
        Mqtt5BlockingClient c = client(port, b -> b.sslConfig().trustManagerFactory(trust.tmf).applySslConfig());
        c.connect();
        c.disconnect();
    }

    @Test
    void mutualTlsRequiresAClientCertificateAndItsCnReachesPermissions() throws Exception {
        TlsConfig tls = serverTls().withClientAuth(TlsConfig.ClientAuth.REQUIRED, pki.caFile());
        BlockingQueue<AuthRequest> seen = new LinkedBlockingQueue<>();
        Authenticator byCert = new Authenticator() {
            @Override
            public String name() {
                return "cert";
            }

            @Override
            public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
                seen.add(r);
                if (r.peerCommonName().isEmpty()) {
                    return CompletableFuture.completedFuture(AuthDecision.abstain());
                }
                return CompletableFuture.completedFuture(AuthDecision.success(r.peerCommonName().get(),
                        Permissions.builder().allow(Action.ALL, "devices/${cert_cn}/#").build()));
            }
        };
        int port = start(ListenerConfig.tls("mtls", "127.0.0.1", 0, tls), byCert);
        TrustManagerHolder trust = new TrustManagerHolder(pki);

        Mqtt5BlockingClient anonymous = client(port, b -> b.sslConfig().trustManagerFactory(trust.tmf).applySslConfig());
        assertThatThrownBy(anonymous::connect).isInstanceOf(RuntimeException.class);

        TestPki.Identity device = pki.issue("dev-7", false);
        Mqtt5BlockingClient c = client(port, b -> b.sslConfig().trustManagerFactory(trust.tmf)
                .keyManagerFactory(uncheck(device)).applySslConfig());
        c.connect();
        AuthRequest r = seen.poll(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.peerCertificates()).isNotEmpty();
        assertThat(r.peerCommonName()).contains("dev-7");
        assertThat(pubAck(c, "devices/dev-7/temp"))
                .isIn(Mqtt5PubAckReasonCode.SUCCESS, Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(pubAck(c, "devices/dev-8/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        c.disconnect();
    }

    @Test
    void webSocketListenerCarriesMqttForHiveMqAndPaho() throws Exception {
        int port = start(open(ListenerConfig.ws("ws", "127.0.0.1", 0)));
        Mqtt5BlockingClient c = client(port, b -> b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig());
        c.connect();
        assertThat(roundTrip(c)).isEqualTo("over the wire");

        org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ws://127.0.0.1:" + port + "/mqtt", "paho-ws", new MemoryPersistence());
        paho.connect(new MqttConnectOptions());
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        paho.subscribe("ws/#", 1, (topic, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        c.publishWith().topic("ws/x").qos(MqttQos.AT_LEAST_ONCE).payload("to paho".getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("to paho");
        paho.disconnect();
        paho.close();
        c.disconnect();
    }

    @Test
    void webSocketOnAnotherPathRefusesTheDefaultOne() throws Exception {
        int port = start(open(ListenerConfig.ws("ws", "127.0.0.1", 0).withWebSocketPath("/broker")));
        Mqtt5BlockingClient wrong = client(port, b -> b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig());
        assertThatThrownBy(wrong::connect).isInstanceOf(RuntimeException.class);
        Mqtt5BlockingClient right = client(port, b -> b.webSocketConfig().serverPath("broker").applyWebSocketConfig());
        right.connect();
        right.disconnect();
    }

    @Test
    void secureWebSocketCarriesMqtt() throws Exception {
        int port = start(open(ListenerConfig.wss("wss", "127.0.0.1", 0, serverTls())));
        TrustManagerHolder trust = new TrustManagerHolder(pki);
        Mqtt5BlockingClient c = client(port, b -> b.sslConfig().trustManagerFactory(trust.tmf).applySslConfig()
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig());
        c.connect();
        assertThat(roundTrip(c)).isEqualTo("over the wire");
        c.disconnect();
    }

    @Test
    void unreadableTlsMaterialFailsStartNamingTheListener() {
        TlsConfig bad = TlsConfig.of(new TlsConfig.Pem(dir.resolve("missing.crt"), dir.resolve("missing.key")));
        Broker b = Broker.builder().listener(ListenerConfig.tls("secure-door", "127.0.0.1", 0, bad)).build();
        assertThatThrownBy(() -> b.start().join()).hasMessageContaining("listener secure-door");
        b.stop().join();
    }

    @Test
    void listenerConfigRejectsInconsistentSettings() {
        assertThatThrownBy(() -> new ListenerConfig("x", "127.0.0.1", 0, dev.gatehouse.broker.Transport.TLS,
                java.util.Optional.empty(), "/mqtt", AnonymousAccess.DENY, java.util.Optional.empty()))
                .hasMessageContaining("needs a TLS configuration");
        assertThatThrownBy(() -> TlsConfig.of(new TlsConfig.Pem(dir, dir)).withClientAuth(TlsConfig.ClientAuth.REQUIRED,
                null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new TlsConfig(new TlsConfig.Pem(dir, dir), TlsConfig.ClientAuth.NONE,
                java.util.Optional.empty(), List.of("TLSv1.1"))).hasMessageContaining("only TLSv1.3 and TLSv1.2");
    }

    private static Mqtt5PubAckReasonCode pubAck(Mqtt5BlockingClient c, String topic) {
        try {
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .send()).getPubAck().getReasonCode();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    private static javax.net.ssl.KeyManagerFactory uncheck(TestPki.Identity id) {
        try {
            return id.keyManagers();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client side trusts the test CA. */
    private static final class TrustManagerHolder {
        final javax.net.ssl.TrustManagerFactory tmf;

        TrustManagerHolder(TestPki pki) throws Exception {
            this.tmf = pki.trustManagers();
        }
    }
}
