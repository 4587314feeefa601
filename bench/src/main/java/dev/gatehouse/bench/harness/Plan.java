package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.auth.AuthKind;
import dev.gatehouse.bench.load.ThroughputSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Which scenarios, how big and how many reps: full (the numbers to quote) or quick (a smoke run, smaller and fewer). */
public record Plan(String mode, int reps, List<Scenario> scenarios, List<String> sizing) {
    /** Leaves room for the broker's and the generator's own files under the open-files limit. */
    private static final int FD_HEADROOM = 1_000;

    public static Plan full(Path gatehouseJar, long openFilesLimit) {
        return full(gatehouseJar, openFilesLimit, null);
    }

    public static Plan quick(Path gatehouseJar, long openFilesLimit) {
        return quick(gatehouseJar, openFilesLimit, null);
    }

    /** @param workDir where scenarios may leave detail files (cold-start timelines), or null */
    public static Plan full(Path gatehouseJar, long openFilesLimit, Path workDir) {
        return build("full", 5, Duration.ofSeconds(5), 5_000_000, 10, 10_000, 10_000,
                List.of(10_000, 50_000), gatehouseJar, openFilesLimit, Duration.ofSeconds(5), 5, workDir);
    }

    public static Plan quick(Path gatehouseJar, long openFilesLimit, Path workDir) {
        return build("quick", 2, Duration.ofMillis(300), 1_000_000, 1, 5_000, 1_000,
                List.of(10_000), gatehouseJar, openFilesLimit, Duration.ofSeconds(1), 2, workDir);
    }

    private static Plan build(String mode, int reps, Duration sendTime, long maxMessages, int latencySeconds,
                              int latencyRate, int connectClients, List<Integer> idle, Path gatehouseJar,
                              long openFilesLimit, Duration nonReaderPhase, int coldReps, Path workDir) {
        List<Scenario> s = new ArrayList<>();
        List<String> sizing = new ArrayList<>();
        sizing.add(mode + ": 1 warm-up rep (discarded) + " + reps + " measured reps per scenario; memory measured once on a fresh broker");
        sizing.add("throughput: closed loop, window 500 messages in flight (refilled a quarter at a time), at most 20 unacknowledged QoS 1/2 per publisher, MQTT 3.1.1, each run bounded by "
                + sendTime.toMillis() + " ms of sending and " + maxMessages + " messages, then up to 3 s of drain (a run with no delivery for 1 s ends early and counts the rest as lost)");
        for (int qos = 0; qos <= 2; qos++) {
            for (int size : new int[] {64, 1024}) {
                s.add(new ThroughputScenario("QoS " + qos + ", 1->1, " + label(size),
                        ThroughputSpec.closed(1, 1, qos, size, maxMessages, sendTime)));
            }
        }
        s.add(new ThroughputScenario("QoS 1, fan-out 1->100, 64 B",
                ThroughputSpec.closed(1, 100, 1, 64, maxMessages / 100, sendTime)));
        s.add(new ThroughputScenario("QoS 1, fan-in 100->1, 64 B",
                ThroughputSpec.closed(100, 1, 1, 64, maxMessages, sendTime)));
        // Durable QoS 1: the subscriber keeps a persistent session, so a broker with durable state stores (and then
        // deletes) every message it routes to it. The same topologies with every broker in memory, for the ratio.
        Duration durableTime = sendTime.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : sendTime;
        BrokerSetup durable = BrokerSetup.persistent("durable");
        s.add(new ThroughputScenario("QoS 1 persistent session, in memory, 1->1, 64 B",
                ThroughputSpec.closed(1, 1, 1, 64, maxMessages, durableTime).withPersistentSession()));
        s.add(new ThroughputScenario("QoS 1 persistent session, durable, 1->1, 64 B",
                ThroughputSpec.closed(1, 1, 1, 64, maxMessages, durableTime).withPersistentSession(), durable));
        s.add(new ThroughputScenario("QoS 1 persistent session, in memory, fan-in 100->1, 64 B",
                ThroughputSpec.closed(100, 1, 1, 64, maxMessages, durableTime).withPersistentSession()));
        s.add(new ThroughputScenario("QoS 1 persistent session, durable, fan-in 100->1, 64 B",
                ThroughputSpec.closed(100, 1, 1, 64, maxMessages, durableTime).withPersistentSession(), durable));
        sizing.add("durable QoS 1: as the throughput scenarios (closed loop, " + durableTime.toMillis() + " ms of sending), but the subscriber"
                + " connects with clean session 0 (a persistent session), so the broker must store every message it routes to it;"
                + " 'durable': each broker on its own process with its durable state on and otherwise default settings — Gatehouse"
                + " persistence.enabled = true, sync = batch (PUBACK after the group's fsync), Mosquitto persistence true (default"
                + " autosave_interval 1800 s: it writes its database every 30 min and at shutdown, not per message), HiveMQ CE"
                + " persistence mode file (its default); 'in memory': the harness's default brokers (Gatehouse without persistence,"
                + " Mosquitto persistence false, HiveMQ CE in-memory); Moquette in memory only");
        int restartReps = mode.equals("full") ? 3 : 1;
        BrokerSetup restart = BrokerSetup.persistent("restart").withLimits(300_000, 200_000);
        s.add(new RestartScenario("restart with 100000 queued + 100000 retained", restart, 100_000, 100_000, restartReps));
        s.add(new RestartScenario("restart with 100000 queued + 100000 retained, Gatehouse --warm-up 0",
                BrokerSetup.persistent("restart-nowarm").withLimits(300_000, 200_000).withGatehouseArgs("--warm-up", "0"),
                100_000, 100_000, restartReps));
        sizing.add("restart: durable state on (as 'durable' above) with the per-client queue raised to 300 000 (Gatehouse"
                + " max-queued-messages, Mosquitto max_queued_messages, HiveMQ CE max-queue-size) and Gatehouse's"
                + " max-retained-messages to 200 000; a persistent-session subscriber subscribes (QoS 1) and leaves, 10 publishers leave"
                + " 100 000 QoS 1 64 B messages queued for it and one publisher 100 000 retained QoS 1 messages on distinct topics,"
                + " all acknowledged; SIGTERM and wait for exit; start on the same data; times from the new process's start to its first"
                + " CONNACK (polled every 50 ms), and to the returning subscriber (same client id, clean session 0, subscribing to the"
                + " retained topics at QoS 1 right after CONNACK) having every queued message, and everything; "
                + restartReps + " rep(s), each on an emptied data directory");
        s.add(new ThroughputScenario("QoS 0 latency at " + latencyRate + " msg/s, 64 B",
                ThroughputSpec.closed(1, 1, 0, 64, (long) latencyRate * latencySeconds, Duration.ofSeconds(latencySeconds))
                        .withRate(latencyRate)));
        if (mode.equals("full")) {
            s.add(new ThroughputScenario("QoS 1 latency at " + latencyRate + " msg/s, 64 B",
                    ThroughputSpec.closed(1, 1, 1, 64, (long) latencyRate * latencySeconds, Duration.ofSeconds(latencySeconds))
                            .withRate(latencyRate)));
        }
        sizing.add("latency: open loop at " + latencyRate + " msg/s for " + latencySeconds
                + " s, measured from each message's scheduled send time" + (mode.equals("full") ? ", QoS 0 and QoS 1" : ", QoS 0 only"));
        s.add(new NonReadingClientScenario("QoS 1, 1->1, 64 B, beside a client that never reads", nonReaderPhase, 100_000_000));
        sizing.add("non-reading client: on a fresh broker, the QoS 1 1->1 64 B closed loop runs " + nonReaderPhase.toMillis()
                + " ms alone, then " + nonReaderPhase.toMillis() + " ms beside a raw-socket client that CONNECTs and then writes QoS 1 PUBLISHes"
                + " (64 B, a topic nobody subscribes to) and a PINGREQ after every 16 as fast as its socket accepts, and never reads"
                + " (it starts 0.5 s before the measured half; non-blocking, bounded in time); RSS from /proc at the end of each half;"
                + " goal for Gatehouse: within 10 % of its own alone figures");
        s.add(new ColdStartScenario("cold start, QoS 1 at 10000 msg/s, 64 B", 10_000, Duration.ofSeconds(5), coldReps,
                workDir == null ? null : workDir.resolve("timelines")));
        sizing.add("cold start: a fresh broker process per rep (" + coldReps + " reps, no harness warm-up rep; Gatehouse as the jar starts it, with its own start-up warm-up); as soon as its port answers a CONNECT"
                + " (polled every 50 ms), 1 publisher -> 1 subscriber, QoS 1, 64 B, open loop at 10 000 msg/s for 5 s, latency from each"
                + " message's scheduled send time; lost = PUBACKed and never delivered (every sequence number checked); per-100 ms"
                + " timelines under work/timelines/; goal for Gatehouse: zero loss and p99 within 3x Mosquitto's");
        int connectWarmUp = 4 * connectClients;
        s.add(new ConnectRateScenario("connection rate, anonymous, " + connectClients + " clients", connectClients, 100,
                connectWarmUp));
        sizing.add("connection rate: " + connectClients + " clients, 100 in flight, CONNECT -> CONNACK -> DISCONNECT, over 200 loopback source addresses;"
                + " its warm-up rep connects " + connectWarmUp + " clients (JVM brokers reach compiled code only after some tens of thousands of connections)");
        for (AuthKind auth : AuthKind.values()) {
            s.add(new AuthConnectScenario(auth, connectClients, 100, gatehouseJar));
        }
        sizing.add("auth connection rate (Gatehouse only): its own broker per scheme, started with run --config and keys generated for this run;"
                + " each rep runs three passes of " + connectClients + " clients on that process: anonymous (the authenticator abstains), one shared credential, one credential per client;"
                + " JWT HS256/RS256/ES256 in the CONNECT password (MQTT 3.1.1, from = password, exp 2 h): the shared token is verified once and then cached, the per-client tokens are minted per pass"
                + " and never seen before (cold: one signature check per connect); NKey: MQTT 5 CONNECT with method NKEY and the user key, AUTH 0x18 nonce, the client's Ed25519 signature in AUTH 0x18,"
                + " static users (one per client, plus one shared), no cache; ratios are to the anonymous pass of the same rep");
        long cap = Math.max(1_000, openFilesLimit - FD_HEADROOM);
        for (int n : idle) {
            int actual = (int) Math.min(n, cap);
            String name = "memory, " + n + " idle connections";
            if (actual < n) {
                name += " (capped at " + actual + ")";
                sizing.add("memory: " + n + " connections asked, " + actual + " opened: the open-files limit here is "
                        + openFilesLimit + " per process (hard), so neither broker nor generator can hold more");
            }
            s.add(new IdleMemoryScenario(name, actual));
        }
        sizing.add("memory: idle MQTT 3.1.1 clients (keep-alive 900 s) over 200 loopback source addresses; RSS from /proc/PID/status, heap after GC from jcmd GC.run + GC.heap_info (JVM brokers)");
        return new Plan(mode, reps, List.copyOf(s), List.copyOf(sizing));
    }

    private static String label(int size) {
        return size >= 1024 && size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
    }
}
