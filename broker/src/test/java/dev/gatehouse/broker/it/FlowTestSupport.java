package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the session / message-flow integration tests: one broker per test on an anonymous-ALLOW
 * listener with allow-all permissions, the four real clients behind one small interface, and helpers
 * for {@link RawMqttClient} where a test must withhold acks or see exact flags.
 */
abstract class FlowTestSupport {
    static final String HOST = "127.0.0.1";
    /** Bound on every wait for something that should happen. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** How long to look for something that must NOT arrive; a bound on the wait, never a timing assertion. */
    static final Duration QUIET = Duration.ofMillis(400);

    private static final AtomicInteger SEQ = new AtomicInteger();

    protected TestBroker broker;
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

    /** The limits a test class runs with; short connect timeout so stray sockets go away fast. */
    protected Limits limits() {
        return Limits.defaults().withConnectTimeout(Duration.ofSeconds(2));
    }

    @BeforeEach
    void startBroker() {
        broker = startBroker(limits(), b -> { });
    }

    @AfterEach
    void stopEverything() {
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().close();
            } catch (Exception ignored) {
                // a client the test already closed, or one the broker dropped
            }
        }
        broker.close();
    }

    /** Replace this test's broker by one with other limits or builder settings. */
    protected void restartBroker(Limits limits, Consumer<Broker.Builder> customize) {
        broker.close();
        broker = startBroker(limits, customize);
    }

    private static TestBroker startBroker(Limits limits, Consumer<Broker.Builder> customize) {
        ListenerConfig open = ListenerConfig.tcp(TestBroker.LISTENER, HOST, 0)
                .withAnonymous(AnonymousAccess.ALLOW)
                .withAnonymousPermissions(Permissions.allowAll());
        return TestBroker.start(open, b -> {
            b.limits(limits);
            customize.accept(b);
        });
    }

    protected int port() {
        return broker.port();
    }

    /** A client id / topic segment unique in this JVM run. */
    protected static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    protected <T extends AutoCloseable> T track(T closeable) {
        cleanup.push(closeable);
        return closeable;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Poll until {@code condition} holds, failing after {@link #WAIT}. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static <T> T next(BlockingQueue<T> q) throws InterruptedException {
        T t = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) {
            fail("no message arrived within " + WAIT);
        }
        return t;
    }

    static <T> List<T> next(BlockingQueue<T> q, int n) throws InterruptedException {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(next(q));
        }
        return out;
    }

    static void assertNothingArrives(BlockingQueue<?> q) throws InterruptedException {
        assertThat(q.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).as("unexpected message").isNull();
    }

    // ---- real clients behind one interface ----

    /** A message as any client saw it; {@code original} is the library's own object for property checks. */
    record Received(String topic, byte[] payload, int qos, boolean retain, Object original) {
        String text() {
            return FlowTestSupport.text(payload);
        }
    }

    enum Kind {
        HIVEMQ_3, HIVEMQ_5, PAHO_3, PAHO_5;

        boolean v5() {
            return this == HIVEMQ_5 || this == PAHO_5;
        }
    }

    /** What the session and flow tests need from a real client library. */
    interface TestClient extends AutoCloseable {
        String id();

        /** Set the will for the next connect. */
        void will(String topic, byte[] payload, int qos, boolean retain);

        /**
         * Connect. {@code clean}: 3.1.1 clean session / 5.0 clean start with session expiry 0; otherwise a
         * persistent session (5.0: expiry 60 s). Returns the CONNACK's session present flag.
         */
        boolean connect(boolean clean) throws Exception;

        void subscribe(String filter, int qos) throws Exception;

        void publish(String topic, byte[] payload, int qos, boolean retain) throws Exception;

        void disconnect() throws Exception;

        /** Everything delivered to this client, in arrival order. */
        BlockingQueue<Received> inbox();
    }

    protected TestClient client(Kind kind) {
        return client(kind, unique(kind.name().toLowerCase()));
    }

    protected TestClient client(Kind kind, String id) {
        TestClient c = switch (kind) {
            case HIVEMQ_3 -> new Hive3(id, port());
            case HIVEMQ_5 -> new Hive5(id, port());
            case PAHO_3 -> new Paho3(id, port());
            case PAHO_5 -> new Paho5(id, port());
        };
        return track(c);
    }

    /** A HiveMQ 5 client builder for tests that need listeners or advanced settings. */
    protected static Mqtt5ClientBuilder hive5Builder(String id, int port) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost(HOST).serverPort(port);
    }

    /** Register a HiveMQ 5 blocking client for cleanup. */
    protected Mqtt5BlockingClient track(Mqtt5BlockingClient c) {
        track(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    /** Collect every PUBLISH the client receives; call before connecting so nothing is missed. */
    static BlockingQueue<Mqtt5Publish> inbox(Mqtt5BlockingClient c) {
        BlockingQueue<Mqtt5Publish> q = new LinkedBlockingQueue<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, q::add);
        return q;
    }

    /** A connected HiveMQ 5 client (clean start) subscribed to {@code filter}, and its inbox. */
    protected BlockingQueue<Mqtt5Publish> hive5Subscriber(String filter, int qos) {
        Mqtt5BlockingClient c = track(hive5Builder(unique("sub5"), port()).buildBlocking());
        BlockingQueue<Mqtt5Publish> q = inbox(c);
        c.connect();
        c.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send();
        return q;
    }

    /** A connected HiveMQ 5 client (clean start). */
    protected Mqtt5BlockingClient hive5Connected() {
        Mqtt5BlockingClient c = track(hive5Builder(unique("pub5"), port()).buildBlocking());
        c.connect();
        return c;
    }

    static final class Hive3 implements TestClient {
        private final String id;
        private final Mqtt3BlockingClient c;
        private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        private Mqtt3Publish will;

        Hive3(String id, int port) {
            this.id = id;
            c = MqttClient.builder().useMqttVersion3().identifier(id).serverHost(HOST).serverPort(port).buildBlocking();
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void will(String topic, byte[] payload, int qos, boolean retain) {
            will = Mqtt3Publish.builder().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain).build();
        }

        @Override
        public boolean connect(boolean clean) {
            var b = c.connectWith().cleanSession(clean);
            if (will != null) {
                b = b.willPublish(will);
            }
            return b.send().isSessionPresent();
        }

        /**
         * Per-subscription callbacks rather than one global flow: HiveMQ ends its global flows with the
         * client-side session (clean disconnect, CONNACK without session present), its subscription flows
         * live exactly as long as the subscription.
         */
        @Override
        public void subscribe(String filter, int qos) {
            c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).callback(p -> inbox.add(
                    new Received(p.getTopic().toString(), p.getPayloadAsBytes(), p.getQos().getCode(), p.isRetain(), p)))
                    .send().join();
        }

        @Override
        public void publish(String topic, byte[] payload, int qos, boolean retain) {
            c.publishWith().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain).send();
        }

        @Override
        public void disconnect() {
            c.disconnect();
        }

        @Override
        public BlockingQueue<Received> inbox() {
            return inbox;
        }

        @Override
        public void close() {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    static final class Hive5 implements TestClient {
        private final String id;
        private final Mqtt5BlockingClient c;
        private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        private Mqtt5Publish will;

        Hive5(String id, int port) {
            this.id = id;
            c = hive5Builder(id, port).buildBlocking();
        }

        Mqtt5BlockingClient raw() {
            return c;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void will(String topic, byte[] payload, int qos, boolean retain) {
            will = Mqtt5Publish.builder().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain).build();
        }

        @Override
        public boolean connect(boolean clean) {
            var b = c.connectWith().cleanStart(clean).sessionExpiryInterval(clean ? 0 : 60);
            if (will != null) {
                b = b.willPublish(will);
            }
            return b.send().isSessionPresent();
        }

        /** Per-subscription callbacks, see {@link Hive3#subscribe}. */
        @Override
        public void subscribe(String filter, int qos) {
            c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).callback(p -> inbox.add(
                    new Received(p.getTopic().toString(), p.getPayloadAsBytes(), p.getQos().getCode(), p.isRetain(), p)))
                    .send().join();
        }

        @Override
        public void publish(String topic, byte[] payload, int qos, boolean retain) {
            c.publishWith().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain).send();
        }

        @Override
        public void disconnect() {
            c.disconnect();
        }

        @Override
        public BlockingQueue<Received> inbox() {
            return inbox;
        }

        @Override
        public void close() {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    static final class Paho3 implements TestClient {
        private final org.eclipse.paho.client.mqttv3.MqttClient c;
        private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        private final MqttConnectOptions options = new MqttConnectOptions();

        Paho3(String id, int port) {
            try {
                c = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://" + HOST + ":" + port, id, new MemoryPersistence());
            } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                throw new IllegalStateException(e);
            }
            c.setTimeToWait(WAIT.toMillis());
            c.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                    inbox.add(new Received(topic, m.getPayload(), m.getQos(), m.isRetained(), m));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            // Paho frees an in-flight slot a moment after a synchronous publish returns; with its default of
            // 10 a fast loop of publishes can trip "too many publishes in progress" on the client side.
            options.setMaxInflight(100);
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout((int) WAIT.toSeconds());
        }

        @Override
        public String id() {
            return c.getClientId();
        }

        @Override
        public void will(String topic, byte[] payload, int qos, boolean retain) {
            options.setWill(topic, payload, qos, retain);
        }

        @Override
        public boolean connect(boolean clean) throws Exception {
            options.setCleanSession(clean);
            return c.connectWithResult(options).getSessionPresent();
        }

        @Override
        public void subscribe(String filter, int qos) throws Exception {
            c.subscribe(filter, qos);
        }

        @Override
        public void publish(String topic, byte[] payload, int qos, boolean retain) throws Exception {
            c.publish(topic, payload, qos, retain);
        }

        @Override
        public void disconnect() throws Exception {
            c.disconnect(0);
        }

        /** Close the socket without DISCONNECT: the broker sees an abnormal loss. */
        void drop() throws Exception {
            c.disconnectForcibly(0, 0, false);
        }

        boolean isConnected() {
            return c.isConnected();
        }

        @Override
        public BlockingQueue<Received> inbox() {
            return inbox;
        }

        @Override
        public void close() throws Exception {
            try {
                if (c.isConnected()) {
                    c.disconnect(0);
                }
            } finally {
                c.close(true);
            }
        }
    }

    static final class Paho5 implements TestClient {
        private final org.eclipse.paho.mqttv5.client.MqttClient c;
        private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        private final org.eclipse.paho.mqttv5.client.MqttConnectionOptions options =
                new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();

        Paho5(String id, int port) {
            try {
                c = new org.eclipse.paho.mqttv5.client.MqttClient("tcp://" + HOST + ":" + port, id,
                        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                throw new IllegalStateException(e);
            }
            c.setTimeToWait(WAIT.toMillis());
            c.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {
                }

                @Override
                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                    inbox.add(new Received(topic, m.getPayload(), m.getQos(), m.isRetained(), m));
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {
                }
            });
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout((int) WAIT.toSeconds());
        }

        org.eclipse.paho.mqttv5.client.MqttClient raw() {
            return c;
        }

        org.eclipse.paho.mqttv5.client.MqttConnectionOptions options() {
            return options;
        }

        @Override
        public String id() {
            return c.getClientId();
        }

        @Override
        public void will(String topic, byte[] payload, int qos, boolean retain) {
            options.setWill(topic, new org.eclipse.paho.mqttv5.common.MqttMessage(payload, qos, retain, null));
        }

        @Override
        public boolean connect(boolean clean) throws Exception {
            options.setCleanStart(clean);
            options.setSessionExpiryInterval(clean ? 0L : 60L);
            return c.connectWithResult(options).getSessionPresent();
        }

        @Override
        public void subscribe(String filter, int qos) throws Exception {
            c.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                    new org.eclipse.paho.mqttv5.common.MqttSubscription(filter, qos)});
        }

        @Override
        public void publish(String topic, byte[] payload, int qos, boolean retain) throws Exception {
            c.publish(topic, payload, qos, retain);
        }

        @Override
        public void disconnect() throws Exception {
            c.disconnect(0);
        }

        /** Close the socket without DISCONNECT: the broker sees an abnormal loss. */
        void drop() throws Exception {
            c.disconnectForcibly(0, 0, false);
        }

        @Override
        public BlockingQueue<Received> inbox() {
            return inbox;
        }

        @Override
        public void close() throws Exception {
            try {
                if (c.isConnected()) {
                    c.disconnect(0);
                }
            } finally {
                c.close(true);
            }
        }
    }

    // ---- raw MQTT peer ----

    /** A PUBLISH read off the wire, copied out of Netty's buffer. */
    record RawPublish(String topic, int qos, boolean dup, boolean retain, int packetId, byte[] payload,
                      MqttProperties properties) {
        String text() {
            return FlowTestSupport.text(payload);
        }
    }

    protected RawMqttClient raw(MqttVersion version) throws IOException {
        return track(new RawMqttClient(port(), version));
    }

    static MqttMessageBuilders.ConnectBuilder connectPacket(MqttVersion v, String clientId, boolean clean) {
        return MqttMessageBuilders.connect().protocolVersion(v).clientId(clientId).cleanSession(clean).keepAlive(60);
    }

    /**
     * A CONNECT for {@code clean} / persistent like {@link TestClient#connect}: 5.0 persistent sessions ask for
     * {@code sessionExpiry} seconds.
     */
    static MqttConnectMessage connectPacket(MqttVersion v, String clientId, boolean clean, int sessionExpiry) {
        MqttMessageBuilders.ConnectBuilder b = connectPacket(v, clientId, clean);
        if (v == MqttVersion.MQTT_5 && sessionExpiry > 0) {
            b.properties(props(MqttPropertyType.SESSION_EXPIRY_INTERVAL, sessionExpiry));
        }
        return b.build();
    }

    /** Send CONNECT and return the CONNACK, which must accept. */
    static MqttConnAckMessage connect(RawMqttClient c, MqttConnectMessage connect) throws IOException {
        c.send(connect);
        MqttConnAckMessage ack = expect(c, MqttMessageType.CONNACK);
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return ack;
    }

    /** A new raw connection, connected; 5.0 persistent sessions ask for a 60 s expiry. */
    protected RawMqttClient rawConnected(MqttVersion v, String clientId, boolean clean) throws IOException {
        RawMqttClient c = raw(v);
        connect(c, connectPacket(v, clientId, clean, clean ? 0 : 60));
        return c;
    }

    /** The next packet, which must be of {@code type}. */
    @SuppressWarnings("unchecked")
    static <T extends MqttMessage> T expect(RawMqttClient c, MqttMessageType type) throws IOException {
        MqttMessage m = c.read(WAIT);
        assertThat(m).as("expected %s, got nothing (or the connection closed)", type).isNotNull();
        if (m.fixedHeader().messageType() != type) {
            RawMqttClient.release(m);
            fail("expected " + type + " but got " + m);
        }
        return (T) m;
    }

    static RawPublish expectPublish(RawMqttClient c) throws IOException {
        return copy(expect(c, MqttMessageType.PUBLISH));
    }

    /** Copy a received PUBLISH out of its buffer and release it. */
    static RawPublish copy(MqttPublishMessage m) {
        try {
            return new RawPublish(m.variableHeader().topicName(), m.fixedHeader().qosLevel().value(),
                    m.fixedHeader().isDup(), m.fixedHeader().isRetain(), m.variableHeader().packetId(),
                    ByteBufUtil.getBytes(m.content()), m.variableHeader().properties());
        } finally {
            RawMqttClient.release(m);
        }
    }

    /** Finish the subscriber side of an outbound delivery: PUBACK, or PUBREC / PUBREL / PUBCOMP. */
    static void completeOutbound(RawMqttClient c, RawPublish p) throws IOException {
        if (p.qos() == 1) {
            c.send(ack(MqttMessageType.PUBACK, p.packetId()));
        } else if (p.qos() == 2) {
            c.send(ack(MqttMessageType.PUBREC, p.packetId()));
            assertThat(packetIdOf(expect(c, MqttMessageType.PUBREL))).isEqualTo(p.packetId());
            c.send(ack(MqttMessageType.PUBCOMP, p.packetId()));
        }
    }

    /** Asserts that no packet at all arrives for {@link #QUIET}. */
    static void expectSilence(RawMqttClient c) throws IOException {
        MqttMessage m = c.read(QUIET);
        if (m != null) {
            RawMqttClient.release(m);
            fail("expected nothing, got " + m);
        }
    }

    /** The reason code of a packet carrying one (PUBACK family, DISCONNECT); 0 when absent. */
    static int reasonCode(MqttMessage m) {
        Object vh = m.variableHeader();
        if (vh instanceof MqttPubReplyMessageVariableHeader h) {
            return h.reasonCode() & 0xFF;
        }
        if (vh instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            return h.reasonCode() & 0xFF;
        }
        return 0;
    }

    static int packetIdOf(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    /** SUBSCRIBE to each filter at {@code qos}; returns the SUBACK codes. */
    static List<Integer> subscribe(RawMqttClient c, int packetId, MqttQoS qos, String... filters) throws IOException {
        MqttMessageBuilders.SubscribeBuilder b = MqttMessageBuilders.subscribe().messageId(packetId);
        for (String f : filters) {
            b.addSubscription(qos, f);
        }
        return subscribe(c, b);
    }

    static List<Integer> subscribe(RawMqttClient c, int packetId, String filter, MqttSubscriptionOption option,
                                   MqttProperties properties) throws IOException {
        return subscribe(c, MqttMessageBuilders.subscribe().messageId(packetId).addSubscription(filter, option)
                .properties(properties));
    }

    private static List<Integer> subscribe(RawMqttClient c, MqttMessageBuilders.SubscribeBuilder b) throws IOException {
        c.send(b.build());
        MqttSubAckMessage ack = expect(c, MqttMessageType.SUBACK);
        return ack.payload().reasonCodes();
    }

    static MqttPublishMessage publishPacket(String topic, MqttQoS qos, int packetId, byte[] payload) {
        return publishPacket(topic, qos, false, false, packetId, payload, MqttProperties.NO_PROPERTIES);
    }

    static MqttPublishMessage publishPacket(String topic, MqttQoS qos, boolean dup, boolean retain, int packetId,
                                            byte[] payload, MqttProperties props) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, qos, retain, 0),
                new MqttPublishVariableHeader(topic, qos == MqttQoS.AT_MOST_ONCE ? -1 : packetId, props),
                Unpooled.wrappedBuffer(payload));
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP for {@code packetId}. */
    static MqttMessage ack(MqttMessageType type, int packetId) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0), MqttMessageIdVariableHeader.from(packetId));
    }

    static MqttMessage disconnectPacket(int reasonCode) {
        return MqttMessageBuilders.disconnect().reasonCode((byte) reasonCode).build();
    }

    static MqttProperties props(MqttPropertyType type, int value) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(type.value(), value));
        return p;
    }

    /** An integer property of a received packet, or null. */
    static Integer intProp(MqttProperties p, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> prop = p.getProperty(type.value());
        return prop == null ? null : (Integer) prop.value();
    }

    static List<Integer> intProps(MqttProperties p, MqttPropertyType type) {
        List<Integer> out = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> prop : p.getProperties(type.value())) {
            out.add((Integer) prop.value());
        }
        return out;
    }
}
