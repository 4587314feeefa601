package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3SubscribeBuilder;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5SubscribeBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.LoggerFactory;

/**
 * Shared pieces for the permission, bad-input and embedding tests: an authenticator that admits with
 * chosen {@link Permissions}, one client abstraction over HiveMQ/Paho for MQTT 3.1.1 and 5.0 that
 * reports wire-level codes, raw-socket helpers and a log capture.
 */
final class PermissionTestSupport {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String CONNECTION_LOGGER = "dev.gatehouse.broker.protocol.MqttConnection";

    private PermissionTestSupport() {
    }

    // ---- authenticators ----

    /**
     * Admits a client whose user name was granted permissions (principal = user name), refuses the rest.
     * A client without a user name is looked up under {@link #NO_USERNAME}.
     */
    static final class GrantingAuthenticator implements Authenticator {
        static final String NO_USERNAME = "\u0000none";
        private final Map<String, Permissions> grants = new ConcurrentHashMap<>();
        final List<AuthRequest> requests = new CopyOnWriteArrayList<>();

        GrantingAuthenticator grant(String username, Permissions p) {
            grants.put(username, p);
            return this;
        }

        @Override
        public String name() {
            return "granting";
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
            requests.add(r);
            Permissions p = grants.get(r.username().orElse(NO_USERNAME));
            return CompletableFuture.completedFuture(p == null
                    ? AuthDecision.failure(FailureReason.NOT_AUTHORIZED, "no grant for this user")
                    : AuthDecision.success(r.username().orElse("nobody"), p));
        }
    }

    /** Admits everyone with permissions computed from the request. */
    static Authenticator admitting(Function<AuthRequest, Permissions> permissions) {
        return new Authenticator() {
            @Override
            public String name() {
                return "admitting";
            }

            @Override
            public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
                return CompletableFuture.completedFuture(
                        AuthDecision.success(r.username().orElse(r.clientId()), permissions.apply(r)));
            }
        };
    }

    static Authenticator admitting(Permissions p) {
        return admitting(r -> p);
    }

    // ---- received messages ----

    record Received(String topic, String payload, boolean retain) {
    }

    /** Messages a client received, in arrival order. */
    static final class Inbox {
        private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
        private final List<Received> seen = new ArrayList<>();

        void add(String topic, byte[] payload, boolean retain) {
            queue.add(new Received(topic, new String(payload, StandardCharsets.UTF_8), retain));
        }

        /**
         * Waits (bounded) for a message on {@code topic}; returns every message received up to and including
         * it. Used with a sentinel published after a message that must not arrive: the broker keeps the
         * order of one publisher's messages, so a leaked message would show up before the sentinel.
         */
        List<Received> awaitTopic(String topic) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                for (Received r : seen) {
                    if (r.topic().equals(topic)) {
                        return List.copyOf(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                Received r = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                if (r == null) {
                    return fail("no message on " + topic + " within " + WAIT + "; got " + seen);
                }
                seen.add(r);
            }
        }

        List<String> topicsUpTo(String topic) throws InterruptedException {
            return awaitTopic(topic).stream().map(Received::topic).collect(Collectors.toList());
        }
    }

    // ---- one client API over four real clients ----

    /** A connected client; codes are the ones on the wire (5.0 reason codes, 3.1.1 return codes). */
    interface TestClient extends AutoCloseable {
        boolean v5();

        /** SUBSCRIBE all filters in one packet at {@code qos}; the SUBACK codes in order. */
        List<Integer> subscribe(int qos, String... filters) throws Exception;

        /** PUBLISH; the PUBACK/PUBREC reason code for MQTT 5 QoS > 0, else 0 once the client considers it sent. */
        int publish(String topic, int qos, boolean retain, String payload) throws Exception;

        Inbox inbox();

        boolean connected();

        /**
         * One more SUBSCRIBE round trip. The broker handles a connection's SUBSCRIBEs in order and queues the
         * retained messages of one before it answers the next, so after this returns, anything published is
         * queued behind every retained message of the earlier subscriptions.
         */
        default void barrier() throws Exception {
            subscribe(0, "gatehouse-test/barrier");
        }

        @Override
        void close();
    }

    enum ClientKind {
        HIVEMQ_3, HIVEMQ_5, PAHO_3, PAHO_5;

        boolean v5() {
            return this == HIVEMQ_5 || this == PAHO_5;
        }

        /** Paho 5 (1.2.5) drops its own connection when a PUBREC carries an error code ("halting QoS 2 flow"). */
        boolean survivesRefusedQos2() {
            return this != PAHO_5;
        }

        TestClient connect(int port, String clientId, String username) throws Exception {
            return connect(port, clientId, username, "pw-" + clientId);
        }

        TestClient connect(int port, String clientId, String username, String password) throws Exception {
            return switch (this) {
                case HIVEMQ_3 -> new Hive3(port, clientId, username, password);
                case HIVEMQ_5 -> new Hive5(port, clientId, username, password);
                case PAHO_3 -> new Paho3(port, clientId, username, password);
                case PAHO_5 -> new Paho5(port, clientId, username, password);
            };
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Hive5 implements TestClient {
        private final Mqtt5BlockingClient c;
        private final Inbox inbox = new Inbox();

        Hive5(int port, String clientId, String username, String password) {
            c = MqttClient.builder().useMqttVersion5().identifier(clientId)
                    .serverHost("127.0.0.1").serverPort(port).buildBlocking();
            c.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                    p -> inbox.add(p.getTopic().toString(), p.getPayloadAsBytes(), p.isRetain()));
            var connect = c.connectWith().cleanStart(true);
            if (username != null) {
                connect.simpleAuth().username(username).password(utf8(password)).applySimpleAuth();
            }
            connect.send();
        }

        public boolean v5() {
            return true;
        }

        public List<Integer> subscribe(int qos, String... filters) {
            Mqtt5SubscribeBuilder.Start b = Mqtt5Subscribe.builder();
            Mqtt5SubscribeBuilder.Complete done = null;
            for (String f : filters) {
                Mqtt5Subscription s = Mqtt5Subscription.builder().topicFilter(f).qos(MqttQos.fromCode(qos)).build();
                done = done == null ? b.addSubscription(s) : done.addSubscription(s);
            }
            Mqtt5SubAck ack;
            try {
                ack = c.subscribe(done.build());
            } catch (Mqtt5SubAckException e) {
                ack = e.getMqttMessage();
            }
            return ack.getReasonCodes().stream().map(Mqtt5SubAckReasonCode::getCode).collect(Collectors.toList());
        }

        public int publish(String topic, int qos, boolean retain, String payload) {
            try {
                Mqtt5PublishResult r = c.publish(Mqtt5Publish.builder().topic(topic).qos(MqttQos.fromCode(qos))
                        .retain(retain).payload(utf8(payload)).build());
                if (r instanceof Mqtt5PublishResult.Mqtt5Qos1Result q1) {
                    return q1.getPubAck().getReasonCode().getCode();
                }
                if (r instanceof Mqtt5PublishResult.Mqtt5Qos2Result q2) {
                    return q2.getPubRec().getReasonCode().getCode();
                }
                return 0;
            } catch (Mqtt5PubAckException e) {
                return e.getMqttMessage().getReasonCode().getCode();
            } catch (Mqtt5PubRecException e) {
                return e.getMqttMessage().getReasonCode().getCode();
            }
        }

        public Inbox inbox() {
            return inbox;
        }

        public boolean connected() {
            return c.getState().isConnected();
        }

        public void close() {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    private static final class Hive3 implements TestClient {
        private final Mqtt3BlockingClient c;
        private final Inbox inbox = new Inbox();

        Hive3(int port, String clientId, String username, String password) {
            c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                    .serverHost("127.0.0.1").serverPort(port).buildBlocking();
            c.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                    p -> inbox.add(p.getTopic().toString(), p.getPayloadAsBytes(), p.isRetain()));
            var connect = c.connectWith().cleanSession(true);
            if (username != null) {
                connect.simpleAuth().username(username).password(utf8(password)).applySimpleAuth();
            }
            connect.send();
        }

        public boolean v5() {
            return false;
        }

        public List<Integer> subscribe(int qos, String... filters) {
            Mqtt3SubscribeBuilder.Start b = Mqtt3Subscribe.builder();
            Mqtt3SubscribeBuilder.Complete done = null;
            for (String f : filters) {
                Mqtt3Subscription s = Mqtt3Subscription.builder().topicFilter(f).qos(MqttQos.fromCode(qos)).build();
                done = done == null ? b.addSubscription(s) : done.addSubscription(s);
            }
            Mqtt3SubAck ack;
            try {
                ack = c.subscribe(done.build());
            } catch (Mqtt3SubAckException e) {
                ack = e.getMqttMessage();
            }
            return ack.getReturnCodes().stream().map(Mqtt3SubAckReturnCode::getCode).collect(Collectors.toList());
        }

        public int publish(String topic, int qos, boolean retain, String payload) {
            c.publish(Mqtt3Publish.builder().topic(topic).qos(MqttQos.fromCode(qos)).retain(retain)
                    .payload(utf8(payload)).build());
            return 0;
        }

        public Inbox inbox() {
            return inbox;
        }

        public boolean connected() {
            return c.getState().isConnected();
        }

        public void close() {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    private static final class Paho3 implements TestClient {
        private final MqttAsyncClient c;
        private final Inbox inbox = new Inbox();

        Paho3(int port, String clientId, String username, String password) throws Exception {
            c = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId,
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            c.setCallback(new MqttCallback() {
                public void connectionLost(Throwable cause) {
                }

                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                    inbox.add(topic, m.getPayload(), m.isRetained());
                }

                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(true);
            o.setAutomaticReconnect(false);
            if (username != null) {
                o.setUserName(username);
                o.setPassword(password.toCharArray());
            }
            c.connect(o).waitForCompletion(WAIT.toMillis());
        }

        public boolean v5() {
            return false;
        }

        public List<Integer> subscribe(int qos, String... filters) throws Exception {
            int[] qoss = new int[filters.length];
            Arrays.fill(qoss, qos);
            org.eclipse.paho.client.mqttv3.IMqttToken t = c.subscribe(filters, qoss);
            t.waitForCompletion(WAIT.toMillis());
            return Arrays.stream(t.getGrantedQos()).boxed().collect(Collectors.toList());
        }

        public int publish(String topic, int qos, boolean retain, String payload) throws Exception {
            c.publish(topic, utf8(payload), qos, retain).waitForCompletion(WAIT.toMillis());
            return 0;
        }

        public Inbox inbox() {
            return inbox;
        }

        public boolean connected() {
            return c.isConnected();
        }

        public void close() {
            try {
                if (c.isConnected()) {
                    c.disconnect().waitForCompletion(WAIT.toMillis());
                }
                c.close(true);
            } catch (Exception ignored) {
                // best effort: the broker may already have closed the connection
            }
        }
    }

    private static final class Paho5 implements TestClient {
        private final org.eclipse.paho.mqttv5.client.MqttAsyncClient c;
        private final Inbox inbox = new Inbox();

        Paho5(int port, String clientId, String username, String password) throws Exception {
            c = new org.eclipse.paho.mqttv5.client.MqttAsyncClient("tcp://127.0.0.1:" + port, clientId,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            c.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                public void disconnected(MqttDisconnectResponse r) {
                }

                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {
                }

                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                    inbox.add(topic, m.getPayload(), m.isRetained());
                }

                public void deliveryComplete(IMqttToken token) {
                }

                public void connectComplete(boolean reconnect, String uri) {
                }

                public void authPacketArrived(int reasonCode, MqttProperties p) {
                }
            });
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setAutomaticReconnect(false);
            if (username != null) {
                o.setUserName(username);
                o.setPassword(utf8(password));
            }
            c.connect(o).waitForCompletion(WAIT.toMillis());
        }

        public boolean v5() {
            return true;
        }

        public List<Integer> subscribe(int qos, String... filters) throws Exception {
            int[] qoss = new int[filters.length];
            Arrays.fill(qoss, qos);
            IMqttToken t = c.subscribe(filters, qoss);
            try {
                t.waitForCompletion(WAIT.toMillis());
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                // Paho reports a refused subscription as an exception; the codes are still on the token
                if (t.getReasonCodes() == null) {
                    throw e;
                }
            }
            return Arrays.stream(t.getReasonCodes()).boxed().collect(Collectors.toList());
        }

        public int publish(String topic, int qos, boolean retain, String payload) throws Exception {
            org.eclipse.paho.mqttv5.common.MqttMessage m = new org.eclipse.paho.mqttv5.common.MqttMessage(utf8(payload));
            m.setQos(qos);
            m.setRetained(retain);
            IMqttToken t = c.publish(topic, m);
            try {
                t.waitForCompletion(WAIT.toMillis());
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                if (t.getReasonCodes() == null) {
                    return e.getReasonCode();
                }
            }
            int[] codes = t.getReasonCodes();
            return codes == null || codes.length == 0 ? 0 : codes[0];
        }

        public Inbox inbox() {
            return inbox;
        }

        public boolean connected() {
            return c.isConnected();
        }

        public void close() {
            try {
                if (c.isConnected()) {
                    c.disconnect().waitForCompletion(WAIT.toMillis());
                }
                c.close(true);
            } catch (Exception ignored) {
                // best effort: the broker may already have closed the connection
            }
        }
    }

    /** Waits (bounded) until the client library has noticed that the broker closed its connection. */
    static void awaitDisconnected(TestClient c) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (c.connected() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(c.connected()).as("connection closed by the broker").isFalse();
    }

    // ---- raw MQTT ----

    /** Connect a raw client and return it with the CONNACK code (callers check it). */
    static RawMqttClient rawConnect(int port, MqttVersion version, String clientId, String username) throws IOException {
        RawMqttClient raw = new RawMqttClient(port, version);
        var b = MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId).cleanSession(true)
                .keepAlive(60);
        if (username != null) {
            b.username(username).password(utf8("pw"));
        }
        raw.send(b.build());
        MqttMessage ack = readType(raw, MqttMessageType.CONNACK);
        assertThat(ack).as("CONNACK for %s", clientId).isNotNull();
        assertThat(((MqttConnAckMessage) ack).variableHeader().connectReturnCode().byteValue())
                .as("CONNACK code for %s", clientId).isEqualTo((byte) 0);
        return raw;
    }

    /** The next packet of {@code type}, skipping others; null when none comes or the connection closes. */
    static MqttMessage readType(RawMqttClient raw, MqttMessageType type) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            MqttMessage m = raw.read(Duration.ofNanos(left));
            if (m == null) {
                return null;
            }
            if (m.fixedHeader().messageType() == type) {
                return m;
            }
            RawMqttClient.release(m);
        }
    }

    static List<Integer> rawSubscribe(RawMqttClient raw, int packetId, int qos, String... filters) throws IOException {
        var b = MqttMessageBuilders.subscribe().messageId(packetId);
        for (String f : filters) {
            b.addSubscription(io.netty.handler.codec.mqtt.MqttQoS.valueOf(qos), f);
        }
        raw.send(b.build());
        MqttMessage ack = readType(raw, MqttMessageType.SUBACK);
        assertThat(ack).as("SUBACK for %s", Arrays.toString(filters)).isNotNull();
        return ((MqttSubAckMessage) ack).payload().reasonCodes();
    }

    static void rawPublishNoAck(RawMqttClient raw, String topic, int qos, boolean retain, int packetId)
            throws IOException {
        MqttPublishMessage p = MqttMessageBuilders.publish().topicName(topic)
                .qos(io.netty.handler.codec.mqtt.MqttQoS.valueOf(qos)).retained(retain).messageId(packetId)
                .payload(Unpooled.wrappedBuffer(utf8("raw"))).build();
        raw.send(p);
    }

    /** PUBLISH at QoS 1 or 2 and return the reason code of the PUBACK/PUBREC (0 for a 3.1.1 ack). */
    static int rawPublish(RawMqttClient raw, String topic, int qos, boolean retain, int packetId) throws IOException {
        rawPublishNoAck(raw, topic, qos, retain, packetId);
        MqttMessage ack = readType(raw, qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC);
        assertThat(ack).as("ack for PUBLISH to %s", topic).isNotNull();
        return replyCode(ack);
    }

    /** Reason code of a PUBACK/PUBREC/PUBREL/PUBCOMP (0 when it carries none, as in 3.1.1). */
    static int replyCode(MqttMessage ack) {
        return ack.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    /** Reason code of an MQTT 5 DISCONNECT packet (0 when it carries none). */
    static int disconnectCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    // ---- logging ----

    /** Captures every log event (all loggers) while open. */
    static final class LogCapture implements AutoCloseable {
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        LogCapture() {
            appender.start();
            root.addAppender(appender);
        }

        /** Formatted messages (with any exception's text) of all events so far. */
        List<String> lines() {
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : List.copyOf(appender.list)) {
                String line = e.getFormattedMessage();
                if (e.getThrowableProxy() != null) {
                    line += " " + e.getThrowableProxy().getMessage();
                }
                out.add(line);
            }
            return out;
        }

        List<String> linesOf(String loggerName) {
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : List.copyOf(appender.list)) {
                if (e.getLoggerName().equals(loggerName)) {
                    out.add(e.getFormattedMessage());
                }
            }
            return out;
        }

        @Override
        public void close() {
            root.detachAppender(appender);
            appender.stop();
        }
    }
}
