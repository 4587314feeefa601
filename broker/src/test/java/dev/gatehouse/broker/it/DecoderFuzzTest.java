package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.PermissionTestSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.it.PermissionTestSupport.ClientKind;
import dev.gatehouse.broker.it.PermissionTestSupport.Received;
import dev.gatehouse.broker.it.PermissionTestSupport.TestClient;
import dev.gatehouse.broker.protocol.codec.PacketMutations;
import dev.gatehouse.broker.protocol.codec.PacketSamples;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Bounded, seeded fuzzing of the decoder through a real broker: {@value #CONNECTIONS} connections send
 * {@value #PACKETS_PER_CONNECTION} packets each, most of them valid encodings of every client packet
 * type with bytes flipped, cut, lengths changed or garbage put in; then normal clients must still
 * connect, subscribe and receive, and nothing may have been logged with a stack trace. Rerun a failure
 * with {@code -Dfuzz.seed=<seed>} (the seed is in every assertion's description).
 */
class DecoderFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 0x6A7E_4005EL);
    private static final int CONNECTIONS = 150;
    private static final int PACKETS_PER_CONNECTION = 20;
    private static final int MAX_PACKET = 2048;

    @Test
    void mutatedPacketsNeitherHurtTheBrokerNorLogStackTraces() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        try (TestBroker broker = TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                        .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.limits(Limits.defaults().withMaxPacketSize(MAX_PACKET)))) {
            fuzz(broker);
            awaitNoConnections(broker);
            assertNormalClientsWork(broker);
        } catch (Throwable t) {
            throw new AssertionError("decoder fuzz failed with seed " + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")", t);
        } finally {
            root.detachAppender(log);
            log.stop();
        }
        for (ILoggingEvent e : List.copyOf(log.list)) {
            boolean trace = e.getThrowableProxy() != null;
            assertThat(trace && e.getLevel().isGreaterOrEqual(Level.WARN))
                    .as("seed %d: stack trace at %s: %s", SEED, e.getLevel(), e.getFormattedMessage()).isFalse();
            assertThat(trace && e.getLoggerName().startsWith("dev.gatehouse"))
                    .as("seed %d: stack trace from %s: %s", SEED, e.getLoggerName(), e.getFormattedMessage()).isFalse();
        }
    }

    private static void fuzz(TestBroker broker) throws IOException {
        Random rnd = new Random(SEED);
        List<byte[]> v3 = PacketSamples.encoded(MqttVersion.MQTT_3_1_1);
        List<byte[]> v5 = PacketSamples.encoded(MqttVersion.MQTT_5);
        for (int c = 0; c < CONNECTIONS; c++) {
            MqttVersion version = rnd.nextBoolean() ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1;
            List<byte[]> corpus = version == MqttVersion.MQTT_5 ? v5 : v3;
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            // Mostly a good CONNECT first, so that the rest reaches the decoder after CONNECT too.
            if (rnd.nextInt(5) != 0) {
                stream.writeBytes(PacketSamples.connect(version, "fuzz-" + c));
            }
            for (int p = 0; p < PACKETS_PER_CONNECTION; p++) {
                byte[] packet = corpus.get(rnd.nextInt(corpus.size()));
                stream.writeBytes(rnd.nextInt(3) == 0 ? packet : PacketMutations.mutate(packet, rnd));
            }
            stream.writeBytes(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ: answered only if all was valid
            try (RawMqttClient raw = new RawMqttClient(broker.port(), version)) {
                sendInPieces(raw, stream.toByteArray(), rnd);
                awaitPingRespOrClose(raw);
            }
        }
    }

    private static void sendInPieces(RawMqttClient raw, byte[] bytes, Random rnd) {
        try {
            int at = 0;
            while (at < bytes.length) {
                int n = Math.min(bytes.length - at, 1 + rnd.nextInt(256));
                raw.sendBytes(Arrays.copyOfRange(bytes, at, at + n));
                at += n;
            }
        } catch (IOException closedByTheBroker) {
            // expected for most connections: the broker closes on the first bad packet
        }
    }

    private static void awaitPingRespOrClose(RawMqttClient raw) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            MqttMessage m = raw.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m == null) {
                return; // closed (or silent until the deadline: then closing the socket ends it)
            }
            MqttMessageType type = m.fixedHeader().messageType();
            RawMqttClient.release(m);
            if (type == MqttMessageType.PINGRESP) {
                return;
            }
        }
    }

    private static void awaitNoConnections(TestBroker broker) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (broker.broker().connectionCount() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(broker.broker().connectionCount()).as("seed %d: connections left open", SEED).isZero();
    }

    private static void assertNormalClientsWork(TestBroker broker) throws Exception {
        for (ClientKind kind : List.of(ClientKind.HIVEMQ_5, ClientKind.PAHO_3)) {
            String topic = "after-fuzz/" + kind;
            try (TestClient sub = kind.connect(broker.port(), "fuzz-sub-" + kind, null);
                    TestClient pub = kind.connect(broker.port(), "fuzz-pub-" + kind, null)) {
                assertThat(sub.subscribe(1, topic)).as("seed %d: SUBACK", SEED).containsExactly(1);
                pub.publish(topic, 1, false, "still here");
                assertThat(sub.inbox().awaitTopic(topic)).as("seed %d: delivery to %s", SEED, kind)
                        .extracting(Received::payload).contains("still here");
            }
        }
    }
}
