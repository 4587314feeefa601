package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise under {@code kill -9} (docs/embedding.md, "Sessions and durable state": at
 * {@code sync = batch} a PUBACK means the message is on disk): a publisher sends QoS 1 messages with sequence
 * numbers as fast as the jar, a child process, acknowledges them, and records every sequence number whose PUBACK
 * came back; at a random moment the test SIGKILLs the process, starts it again on the same data directory, and
 * the persistent subscriber (QoS 1) reconnects and must get every acknowledged sequence number. Duplicates are
 * allowed for QoS 1 (counted and printed), and so are messages that were stored but whose PUBACK the crash cut off.
 *
 * <p>Several rounds in one test, on one data directory that each crash and restart carry forward; the subscriber
 * alternates between MQTT 3.1.1 (clean session false) and 5.0 (session expiry), and between being offline and being
 * connected at the moment of the kill. The random delays come from a seed that is printed
 * ({@code -Dgatehouse.crash.seed=N} repeats a run).
 */
class PersistenceCrashJarIT {
    /** Rounds in one run; {@code -Dgatehouse.crash.rounds=N} for a longer soak. */
    private static final int ROUNDS = Integer.getInteger("gatehouse.crash.rounds", 4);
    /** Publisher stops here even if the kill has not come yet, so a round stays bounded (the queue limit is above). */
    private static final int MAX_MESSAGES = 40_000;
    private static final int WINDOW = 64;

    @TempDir
    Path dir;

    private JarProcess broker;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the broker may be gone already
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang guard, not a measurement
    void everyAcknowledgedQos1MessageSurvivesKill9() throws Exception {
        long seed = Long.getLong("gatehouse.crash.seed", System.nanoTime());
        System.out.println("PersistenceCrashJarIT seed " + seed + " (-Dgatehouse.crash.seed=" + seed + " repeats it)");
        Random random = new Random(seed);
        broker = JarProcess.start(dir, "max-queued-messages = 100000");
        List<String> report = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            boolean mqtt5 = round % 2 == 1;
            boolean connectedAtKill = (round / 2) % 2 == 1;
            long delayMs = 100 + random.nextInt(1400);
            // when the subscriber was offline: a second kill -9 while the restarted broker sends it the backlog,
            // after this share of it arrived
            double drainKillAt = connectedAtKill ? -1 : 0.1 + 0.6 * random.nextDouble();
            report.add(round(round, mqtt5, connectedAtKill, delayMs, drainKillAt));
        }
        report.forEach(System.out::println);
    }

    private String round(int round, boolean mqtt5, boolean connectedAtKill, long delayMs, double drainKillAt)
            throws Exception {
        String topic = "crash/" + round;
        String mode = (mqtt5 ? "5.0" : "3.1.1") + (connectedAtKill ? ", subscriber connected" : ", subscriber offline")
                + ", kill after " + delayMs + " ms of acknowledged load"
                + (drainKillAt < 0 ? "" : String.format(", again after %.0f%% of the backlog", 100 * drainKillAt));
        Subscriber sub = new Subscriber("crash-sub-" + round, mqtt5, topic);
        assertThat(sub.connect(true)).isFalse();
        sub.subscribe();
        if (!connectedAtKill) {
            sub.disconnect();
        }

        Publisher pub = new Publisher("crash-pub-" + round, topic);
        pub.start();
        // Under load: the first acknowledgements are back; then the random delay, then SIGKILL.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pub.acked.isEmpty() && !pub.failed.get() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(pub.acked).as("round %d: acknowledgements before the kill (%s)", round, pub.failure).isNotEmpty();
        Thread.sleep(delayMs);
        long ackedAtKill = pub.acked.size();
        int code = broker.kill();
        assertThat(code).as("exit status after SIGKILL").isEqualTo(137);
        pub.awaitEnd();
        Set<Long> acked = new TreeSet<>(pub.acked);
        long attempted = pub.next.get();

        broker.startAgain();
        checkLog(round);
        assertThat(sub.connect(false)).as("round %d (%s): session present after the crash", round, mode).isTrue();
        if (drainKillAt >= 0) {
            long target = (long) (acked.size() * drainKillAt);
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sub.received.size() < target && System.nanoTime() < drainUntil) {
                Thread.sleep(1);
            }
            assertThat(broker.kill()).as("exit status after the second SIGKILL").isEqualTo(137);
            broker.startAgain();
            checkLog(round);
            assertThat(sub.connect(false)).as("round %d (%s): session present after the second crash", round, mode)
                    .isTrue();
        }
        // Every acknowledged sequence number comes (bounded: 20 s).
        long collectUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Set<Long> missing = new TreeSet<>(acked);
        while (System.nanoTime() < collectUntil) {
            missing.removeAll(sub.received.keySet());
            if (missing.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        missing.removeAll(sub.received.keySet());
        // what was queued when the crash came keeps arriving for a moment: let it, so duplicates are all counted
        long before;
        do {
            before = sub.total.get();
            Thread.sleep(500);
        } while (sub.total.get() != before);
        sub.disconnect();

        long duplicates = sub.total.get() - sub.received.size();
        long unacknowledged = sub.received.keySet().stream().filter(s -> !acked.contains(s)).count();
        String line = String.format("round %d (%s): %d published, %d acknowledged (%d at the kill), %d received "
                        + "(%d distinct, %d duplicates, %d stored whose PUBACK the crash cut off), %d missing",
                round, mode, attempted, acked.size(), ackedAtKill, sub.total.get(), sub.received.size(), duplicates,
                unacknowledged, missing.size());
        System.out.println(line);
        assertThat(missing).as("acknowledged but never delivered after kill -9; %s; stderr of the restarted broker:\n%s",
                line, broker.stderr()).isEmpty();
        assertThat(sub.received.keySet()).as("only what was published").allSatisfy(s -> assertThat(s).isLessThan(attempted));
        return line;
    }

    /** The restarted broker opened the store without complaint. */
    private void checkLog(int round) {
        String log = broker.stderr();
        assertThat(log).as("round %d: stderr of the restarted broker", round).doesNotContain("ERROR")
                .contains("persistence on:");
        log.lines().filter(l -> l.contains(" WARN ")).forEach(l -> System.out.println("round " + round + ": " + l));
    }

    // ---- the publisher: QoS 1 as fast as PUBACKs come back, at most WINDOW in flight ----

    private final class Publisher {
        final String id;
        final String topic;
        final Set<Long> acked = ConcurrentHashMap.newKeySet();
        final AtomicLong next = new AtomicLong();
        final AtomicBoolean failed = new AtomicBoolean();
        volatile Throwable failure;
        final Semaphore window = new Semaphore(WINDOW);
        Thread thread;
        Mqtt5AsyncClient client;

        Publisher(String id, String topic) {
            this.id = id;
            this.topic = topic;
        }

        void start() throws Exception {
            Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            client = c;
            clients.add(() -> {
                if (c.getState().isConnected()) {
                    c.disconnect().get(5, TimeUnit.SECONDS);
                }
            });
            c.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
            thread = new Thread(this::run, id);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (!failed.get() && next.get() < MAX_MESSAGES) {
                    if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    long seq = next.getAndIncrement();
                    client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                            .payload(Long.toString(seq).getBytes(StandardCharsets.UTF_8)).send()
                            .whenComplete((result, error) -> {
                                if (error == null && acknowledged(result)) {
                                    acked.add(seq);
                                } else {
                                    failure = error != null ? error : result.getError().orElse(null);
                                    failed.set(true);
                                }
                                window.release();
                            });
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static boolean acknowledged(Mqtt5PublishResult result) {
            return result.getError().isEmpty() && result instanceof Mqtt5PublishResult.Mqtt5Qos1Result q1
                    && !q1.getPubAck().getReasonCode().isError();
        }

        /** After the kill: the loop stops, every publish still in flight completes (failed: no PUBACK). */
        void awaitEnd() throws InterruptedException {
            failed.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(thread.isAlive()).as("publisher loop ended").isFalse();
            assertThat(window.tryAcquire(WINDOW, 20, TimeUnit.SECONDS)).as("in-flight publishes completed").isTrue();
        }
    }

    // ---- the persistent subscriber: a new client object per connection, counts per sequence number ----

    private final class Subscriber {
        final String id;
        final boolean mqtt5;
        final String topic;
        final ConcurrentHashMap<Long, AtomicInteger> received = new ConcurrentHashMap<>();
        final AtomicLong total = new AtomicLong();
        org.eclipse.paho.client.mqttv3.MqttClient paho;
        Mqtt5BlockingClient hive;

        Subscriber(String id, boolean mqtt5, String topic) {
            this.id = id;
            this.mqtt5 = mqtt5;
            this.topic = topic;
        }

        void got(byte[] payload) {
            received.computeIfAbsent(Long.parseLong(new String(payload, StandardCharsets.UTF_8)),
                    k -> new AtomicInteger()).incrementAndGet();
            total.incrementAndGet();
        }

        /** Returns the session-present flag. */
        boolean connect(boolean clean) throws Exception {
            if (mqtt5) {
                Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                        .serverPort(broker.port()).buildBlocking();
                clients.add(() -> {
                    if (c.getState().isConnected()) {
                        c.disconnect();
                    }
                });
                c.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> got(p.getPayloadAsBytes()));
                hive = c;
                return c.connectWith().cleanStart(clean).sessionExpiryInterval(600).send().isSessionPresent();
            }
            org.eclipse.paho.client.mqttv3.MqttClient c = new org.eclipse.paho.client.mqttv3.MqttClient(
                    "tcp://127.0.0.1:" + broker.port(), id, new MemoryPersistence());
            clients.add(() -> {
                if (c.isConnected()) {
                    c.disconnectForcibly(1000, 1000);
                }
                c.close(true);
            });
            c.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String t, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                    got(m.getPayload());
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(false);
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setAutomaticReconnect(false);
            o.setConnectionTimeout(10);
            o.setMaxInflight(1000);
            paho = c;
            return c.connectWithResult(o).getSessionPresent();
        }

        void subscribe() throws Exception {
            if (mqtt5) {
                hive.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            } else {
                paho.subscribe(topic, 1);
            }
        }

        void disconnect() throws Exception {
            if (mqtt5) {
                hive.disconnect();
            } else {
                paho.disconnect(5000);
                paho.close();
            }
        }
    }
}
