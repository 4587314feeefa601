package dev.gatehouse.authn.nkey;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import dev.gatehouse.authn.nkey.client.NKeyAuthMechanism;
import dev.gatehouse.authn.nkey.client.NKeyIdentity;
import dev.gatehouse.broker.Limits;
import io.nats.client.NKey;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 item 7: a user revoked in a refreshed account JWT is disconnected while connected, when the
 * directory resolver sees the rewritten file, not only at its next re-authentication.
 */
class LiveRevocationTest {
    private final NKey operator = Nats.operator();
    private final NKey account = Nats.account();
    private final NKey accountSigning = Nats.account();
    private final MutableClock clock = new MutableClock();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private TestBroker broker;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        pool.shutdownNow();
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "nkey");
        s.put("operators", List.of(Nats.operatorJwt(operator, List.of(), false)));
        s.put("resolver", Map.of("type", "directory", "path", dir.toString(), "refresh-interval", "100ms"));
        return s;
    }

    private void writeAccount(Map<String, Object> nats, int generation) throws Exception {
        Path file = dir.resolve(Nats.pub(account) + ".jwt");
        Path tmp = dir.resolve("tmp.jwt.part");
        Files.writeString(tmp, Nats.accountJwt(operator, account, nats) + "\n");
        // make the change visible even on file systems with coarse timestamps
        Files.setLastModifiedTime(tmp, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(generation)));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private Map<String, Object> withSigningKey() {
        Map<String, Object> nats = new LinkedHashMap<>();
        nats.put("signing_keys", List.of(Nats.pub(accountSigning)));
        return nats;
    }

    /** A connected client that records how it was disconnected and how often it connected. */
    private static final class Watched {
        final Mqtt5BlockingClient client;
        final AtomicReference<Throwable> cause = new AtomicReference<>();
        final AtomicReference<MqttDisconnectSource> source = new AtomicReference<>();
        final AtomicInteger connects = new AtomicInteger();

        Watched(TestBroker broker, NKey user, String jwt) {
            client = Mqtt5Client.builder().identifier("live-" + UUID.randomUUID()).serverHost("127.0.0.1")
                    .serverPort(broker.port())
                    .enhancedAuth(NKeyAuthMechanism.of(NKeyIdentity.of(jwt, Nats.seed(user))))
                    .addConnectedListener(ctx -> connects.incrementAndGet())
                    .addDisconnectedListener(ctx -> {
                        source.set(ctx.getSource());
                        cause.set(ctx.getCause());
                    })
                    .buildBlocking();
            client.connectWith().cleanStart(true).send();
        }

        int disconnectReason() {
            assertThat(cause.get()).isInstanceOf(Mqtt5DisconnectException.class);
            return ((Mqtt5DisconnectException) cause.get()).getMqttMessage().getReasonCode().getCode();
        }
    }

    /** Proves {@code c} is connected and served: a QoS 1 message to itself comes back. */
    private static void roundTrip(Mqtt5BlockingClient c, String topic) throws Exception {
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload("alive".getBytes(UTF_8)).send();
            assertThat(in.receive(10, TimeUnit.SECONDS)).isPresent();
        }
    }

    @Test
    void userRevokedInARewrittenAccountJwtIsDisconnectedAndOthersStay() throws Exception {
        writeAccount(Map.of(), 1);
        broker = new TestBroker(settings(), clock);
        long iat = Nats.nowSeconds() - 5;
        NKey revoked = Nats.user();
        NKey other = Nats.user();
        Watched r = new Watched(broker, revoked, Nats.userJwt(account, account, revoked, Nats.claim(account), null, iat));
        Watched o = new Watched(broker, other, Nats.userJwt(account, account, other, Nats.claim(account), null, iat));
        TestBroker.await(() -> broker.authenticator.connections(Nats.pub(account)) == 2, "both clients to be counted");

        writeAccount(Map.of("revocations", Map.of(Nats.pub(revoked), Nats.nowSeconds())), 2);

        TestBroker.await(() -> r.cause.get() != null, "the revoked client to be disconnected");
        assertThat(r.source.get()).isEqualTo(MqttDisconnectSource.SERVER);
        assertThat(r.disconnectReason()).isEqualTo(0x87);
        assertThat(r.client.getState()).isEqualTo(MqttClientState.DISCONNECTED);
        assertThat(r.connects.get()).isEqualTo(1); // it was not let back in

        assertThat(o.cause.get()).isNull();
        assertThat(o.client.getState().isConnected()).isTrue();
        roundTrip(o.client, "still/here");
        TestBroker.await(() -> broker.authenticator.connections(Nats.pub(account)) == 1, "the revoked slot to be released");
        o.client.disconnect();
    }

    @Test
    void userOfARemovedSigningKeyIsDisconnected() throws Exception {
        writeAccount(withSigningKey(), 1);
        broker = new TestBroker(settings(), clock);
        NKey byAccount = Nats.user();
        NKey bySigningKey = Nats.user();
        Watched a = new Watched(broker, byAccount, Nats.userJwt(account, account, byAccount, Nats.claim(account)));
        Watched s = new Watched(broker, bySigningKey,
                Nats.userJwt(accountSigning, account, bySigningKey, Nats.claim(account)));

        writeAccount(Map.of(), 2); // the signing key is gone

        TestBroker.await(() -> s.cause.get() != null, "the client of the removed signing key to be disconnected");
        assertThat(s.disconnectReason()).isEqualTo(0x87);
        assertThat(a.cause.get()).isNull();
        roundTrip(a.client, "account/user");
        a.client.disconnect();
    }

    @Test
    void aClientThatLeavesBeforeTheAnswerKeepsNoSlot() throws Exception {
        Map<String, Object> nats = new LinkedHashMap<>();
        nats.put("limits", Map.of("conn", 1));
        writeAccount(nats, 1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        // resolver look-ups wait for the gate while 'held' is set
        java.util.concurrent.Executor gated = task -> pool.execute(() -> {
            if (held.get() > 0) {
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            task.run();
            ran.incrementAndGet();
        });
        broker = new TestBroker(settings(), clock, Limits.defaults(), gated, false);
        NKey user = Nats.user();
        String bearer = Nats.userJwt(account, account, user, Nats.claim(account).bearerToken(true));

        // control: the token is admitted when the client waits for the answer
        MqttClient paho = new MqttClient("tcp://127.0.0.1:" + broker.port(), "paho-ok", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("x");
        o.setPassword(bearer.toCharArray());
        paho.connect(o);
        paho.disconnect();
        paho.close();
        TestBroker.await(() -> broker.authenticator.connections(Nats.pub(account)) == 0, "the control's slot to be released");

        held.set(1);
        int before = ran.get();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(connect311("gone-early", bearer));
            out.flush();
            socket.shutdownOutput(); // the broker reads EOF and closes the connection while the look-up is held
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // nothing is expected before the close
                }
            } catch (SocketException reset) {
                // closed by the broker as well
            }
        }
        gate.countDown(); // now the look-up completes and the authenticator admits (takes the slot)
        TestBroker.await(() -> ran.get() > before, "the held look-up to run");
        TestBroker.await(() -> broker.authenticator.connections(Nats.pub(account)) == 0,
                "the slot of the client that left to be released");

        // and the account's only slot is free for the next client
        MqttClient next = new MqttClient("tcp://127.0.0.1:" + broker.port(), "paho-next", new MemoryPersistence());
        next.connect(o);
        next.disconnect();
        next.close();
    }

    /** An MQTT 3.1.1 CONNECT with a user name and {@code password}. */
    private static byte[] connect311(String clientId, String password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT".getBytes(US_ASCII));
        body.write(4);          // protocol level 3.1.1
        body.write(0xC2);       // user name, password, clean session
        body.write(0);
        body.write(60);         // keep alive
        writeString(body, clientId.getBytes(US_ASCII));
        writeString(body, "x".getBytes(US_ASCII));
        writeString(body, password.getBytes(US_ASCII));
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int len = body.size();
        do {
            int b = len % 128;
            len /= 128;
            packet.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, byte[] s) {
        out.write(s.length >> 8);
        out.write(s.length & 0xFF);
        out.writeBytes(s);
    }
}
