package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.FlowStats;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A client that never reads its socket, or a subscriber that falls behind, costs a bounded amount of
 * memory and never stops the broker from serving others (issue: bounded memory under slow and hostile
 * clients). Bounds are asserted on the figures the broker exposes ({@code flowStats}, {@code drops}),
 * never on wall-clock time.
 */
class FlowControlTest {
    private static final int OUTBOUND = 64 * 1024;
    /** One packet's worth beyond the high-water mark, with Netty's per-entry overhead. */
    private static final int SLACK = 8 * 1024;

    private static TestBroker start(Limits limits) {
        return TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                        .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.limits(limits).ioThreads(1));
    }

    private static Limits limits() {
        return Limits.defaults().withMaxOutboundBuffer(OUTBOUND).withSlowConsumerTimeout(Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"QoS 1 PUBLISH", "PINGREQ"})
    void aClientThatNeverReadsCostsAtMostItsOutboundBufferAndIsDisconnected(String flood) throws Exception {
        try (TestBroker broker = start(limits())) {
            byte[] packet = flood.equals("PINGREQ") ? new byte[] {(byte) 0xC0, 0}
                    : encode(MqttMessageBuilders.publish().topicName("nobody/listens").qos(MqttQoS.AT_LEAST_ONCE)
                    .messageId(1).payload(io.netty.buffer.Unpooled.wrappedBuffer(new byte[8])).build());
            try (SocketChannel bad = connectRaw(broker)) {
                long attempted = 64L * 1024 * 1024;
                long written = writeUntilStalled(bad, packet, attempted);
                // The broker stopped reading: TCP pushed back long before the client could write it all.
                assertThat(written).isLessThan(attempted);
                FlowStats stats = broker.broker().flowStats();
                assertThat(stats.readsPausedUnwritable()).isEqualTo(1);
                assertThat(stats.largestOutboundBufferedBytes()).isBetween((long) OUTBOUND / 2, (long) OUTBOUND + SLACK);

                // Others on the same (only) I/O thread are served meanwhile.
                assertPubSubWorks(broker, "healthy/" + flood.hashCode());

                // It stays unwritable: after the slow-consumer timeout the broker lets it go.
                await(() -> broker.broker().flowStats().slowConsumerDisconnects() == 1);
                // Its buffer is released when the channel closes, its pause when the close has been processed.
                await(() -> broker.broker().flowStats().outboundBufferedBytes() == 0);
                await(() -> broker.broker().flowStats().readsPausedUnwritable() == 0);
            }
        }
    }

    @Test
    void qos0ToASubscriberThatDoesNotReadIsDroppedAndCountedWithoutSlowingThePublisher() throws Exception {
        try (TestBroker broker = start(limits().withMaxQueuedMessages(100))) {
            try (SocketChannel stuck = connectRaw(broker)) {
                stuck.configureBlocking(true);
                stuck.write(ByteBuffer.wrap(encode(MqttMessageBuilders.subscribe().messageId(1)
                        .addSubscription(MqttQoS.AT_MOST_ONCE, "fast/#").build())));
                Mqtt5BlockingClient pub = hivemq(broker, "qos0-publisher");
                pub.connect();
                byte[] kb = new byte[1024];
                // Far more than the stuck subscriber's buffers and queue hold.
                for (int i = 0; i < 20_000; i++) {
                    pub.publishWith().topic("fast/x").qos(MqttQos.AT_MOST_ONCE).payload(kb).send();
                }
                pub.publishWith().topic("barrier").qos(MqttQos.AT_LEAST_ONCE).send();
                await(() -> broker.broker().drops().get(DropReason.QOS0_SLOW_CONSUMER) > 0);
                FlowStats stats = broker.broker().flowStats();
                assertThat(stats.largestOutboundBufferedBytes()).isLessThanOrEqualTo(OUTBOUND + SLACK);
                assertThat(stats.readsPausedCongested()).isZero();
                assertThat(broker.broker().drops().get(DropReason.QUEUE_FULL)).isZero();
                pub.disconnect();
            }
        }
    }

    @Test
    void aSubscriberThatFallsBehindHoldsItsPublisherBackInsteadOfLosingAcknowledgedMessages() throws Exception {
        // A queue of 40: without backpressure most of the 600 messages below would be dropped.
        try (TestBroker broker = start(limits().withMaxQueuedMessages(40).withSlowConsumerTimeout(Duration.ofSeconds(60)))) {
            int n = 600;
            LinkedBlockingQueue<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> held = new LinkedBlockingQueue<>();
            Mqtt5AsyncClient sub = MqttClient.builder().useMqttVersion5().identifier("slow-sub").serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            sub.connectWith().cleanStart(true).restrictions().receiveMaximum(10).applyRestrictions().send().join();
            sub.subscribeWith().topicFilter("slow/#").qos(MqttQos.AT_LEAST_ONCE).send().join();
            sub.publishes(MqttGlobalPublishFilter.ALL, held::add, true);

            Mqtt5AsyncClient pub = MqttClient.builder().useMqttVersion5().identifier("fast-pub").serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            pub.connect().join();
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                acks.add(pub.publishWith().topic("slow/x").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send());
            }
            // The subscriber acknowledges nothing yet: its window and half its queue fill, and the publisher is paused.
            await(() -> broker.broker().flowStats().readsPausedCongested() == 1);
            assertThat(acks.stream().filter(CompletableFuture::isDone).count()).isLessThan(n);

            // Now it catches up: every message arrives, in order, none dropped, and the publisher goes on.
            List<Integer> got = new ArrayList<>();
            while (got.size() < n) {
                var p = held.poll(10, TimeUnit.SECONDS);
                assertThat(p).as("message %d", got.size()).isNotNull();
                got.add(Integer.parseInt(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
                p.acknowledge();
            }
            for (int i = 0; i < n; i++) {
                assertThat(got.get(i)).isEqualTo(i);
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(broker.broker().drops().get(DropReason.QUEUE_FULL)).isZero();
            await(() -> broker.broker().flowStats().readsPausedCongested() == 0);
            pub.disconnect().join();
            sub.disconnect().join();
        }
    }

    @Test
    void aSubscriberStuckLongerThanTheTimeoutStopsHoldingItsPublisherAndItsOverflowIsCounted() throws Exception {
        try (TestBroker broker = start(limits().withMaxQueuedMessages(40).withSlowConsumerTimeout(Duration.ofMillis(500)))) {
            Mqtt5AsyncClient sub = MqttClient.builder().useMqttVersion5().identifier("stuck-sub").serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            sub.connectWith().cleanStart(true).restrictions().receiveMaximum(10).applyRestrictions().send().join();
            sub.subscribeWith().topicFilter("stuck/#").qos(MqttQos.AT_LEAST_ONCE).send().join();
            sub.publishes(MqttGlobalPublishFilter.ALL, p -> { }, true); // never acknowledges

            Mqtt5AsyncClient pub = MqttClient.builder().useMqttVersion5().identifier("stuck-pub").serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            pub.connect().join();
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                acks.add(pub.publishWith().topic("stuck/x").qos(MqttQos.AT_LEAST_ONCE).send());
            }
            // Every publish is acknowledged in the end: the stuck subscriber paused its publisher only for a while.
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            long lost = broker.broker().drops().get(DropReason.QUEUE_FULL);
            assertThat(lost).isEqualTo(300 - 10 - 40);
            assertThat(broker.broker().droppedMessages()).isEqualTo(lost);
            pub.disconnect().join();
            sub.disconnect().join();
        }
    }

    @Test
    void everyRetainedMessageReachesAWildcardSubscriberPacedByItsWindow() throws Exception {
        int n = 100_000;
        try (TestBroker broker = start(Limits.defaults().withMaxRetainedMessages(n))) {
            byte[] payload = "r".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < n; i++) {
                broker.broker().publish("retained/" + (i % 100) + "/" + i, payload, 1, true).join();
            }
            assertThat(broker.broker().retainedCount()).isEqualTo(n);
            AtomicInteger received = new AtomicInteger();
            Mqtt5AsyncClient sub = MqttClient.builder().useMqttVersion5().identifier("everything").serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            sub.publishes(MqttGlobalPublishFilter.ALL, p -> {
                if (p.isRetain()) {
                    received.incrementAndGet();
                }
            });
            sub.connect().join();
            sub.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send().join();
            // Meanwhile the broker still serves others.
            assertPubSubWorks(broker, "live/while-retained");
            await(() -> received.get() >= n);
            assertThat(received.get()).isEqualTo(n);
            assertThat(broker.broker().drops().values().stream().mapToLong(Long::longValue).sum()).isZero();
            sub.disconnect().join();
        }
    }

    // ---- helpers ----

    private static Mqtt5BlockingClient hivemq(TestBroker broker, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
    }

    private static void assertPubSubWorks(TestBroker broker, String topic) throws Exception {
        Mqtt5BlockingClient sub = hivemq(broker, topic.replace('/', '-') + "-sub");
        sub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = hivemq(broker, topic.replace('/', '-') + "-pub");
            pub.connect();
            for (int i = 0; i < 20; i++) {
                pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) i}).send();
            }
            for (int i = 0; i < 20; i++) {
                var p = inbox.receive(10, TimeUnit.SECONDS);
                assertThat(p).isPresent();
                assertThat(p.get().getPayloadAsBytes()).containsExactly((byte) i);
            }
            pub.disconnect();
        }
        sub.disconnect();
    }

    /** A raw MQTT 3.1.1 connection that completed CONNECT and will never read again. */
    private static SocketChannel connectRaw(TestBroker broker) throws Exception {
        SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(new InetSocketAddress("127.0.0.1", broker.port()));
        MqttConnectMessage connect = MqttMessageBuilders.connect().clientId("never-reads-" + System.nanoTime())
                .protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(true).keepAlive(0).build();
        ch.write(ByteBuffer.wrap(encode(connect)));
        // Read the CONNACK (4 bytes) once, so the flood below happens on an admitted connection.
        ByteBuffer connAck = ByteBuffer.allocate(4);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connAck.hasRemaining() && System.nanoTime() < until) {
            ch.read(connAck);
        }
        assertThat(connAck.array()[0]).isEqualTo((byte) 0x20);
        assertThat(connAck.array()[3]).isZero();
        ch.configureBlocking(false);
        return ch;
    }

    /** Writes copies of {@code packet} until {@code limit} bytes or until the socket took nothing for a second. */
    private static long writeUntilStalled(SocketChannel ch, byte[] packet, long limit) throws Exception {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        while (chunk.size() < 64 * 1024) {
            chunk.write(packet);
        }
        byte[] bytes = chunk.toByteArray();
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long written = 0;
        int idle = 0;
        while (written < limit && idle < 200) {
            if (!buf.hasRemaining()) {
                buf.rewind();
            }
            int n = ch.write(buf);
            written += n;
            if (n == 0) {
                idle++;
                Thread.sleep(5);
            } else {
                idle = 0;
            }
        }
        return written;
    }

    private static byte[] encode(MqttMessage m) {
        return dev.gatehouse.broker.testing.RawMqttClient.encode(m, MqttVersion.MQTT_3_1_1);
    }

    /** Polls a condition the broker will reach, bounded at 30 s; never asserts how long it took. */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not reached within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
