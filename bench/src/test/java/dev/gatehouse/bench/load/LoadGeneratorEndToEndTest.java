package dev.gatehouse.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.bench.proc.JvmHeap;
import dev.gatehouse.bench.proc.ProcStat;
import dev.gatehouse.bench.wire.Wire;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The load generator against an embedded Gatehouse, tiny runs only: every message arrives exactly once
 * through each QoS flow. Nothing here looks at how fast.
 */
@Timeout(60)
class LoadGeneratorEndToEndTest {
    private static Broker broker;
    private static Endpoint endpoint;
    private static BrokerProbe probe;

    @BeforeAll
    static void start() {
        broker = Broker.builder()
                .listener(ListenerConfig.tcp("bench", "127.0.0.1", 0)
                        .withAnonymous(AnonymousAccess.LOOPBACK_ONLY)
                        .withAnonymousPermissions(Permissions.allowAll()))
                .build();
        broker.start().join();
        endpoint = Endpoint.loopback(broker.port("bench"), 4);
        // The broker runs in this JVM, so its CPU time is ours: enough to exercise the /proc path.
        probe = new BrokerProbe(ProcessHandle.current().pid(), false, ProcStat.system(), new JvmHeap("jcmd"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.stop().join();
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 4", "1, 4", "2, 4", "1, 5", "2, 5"})
    void hundred_messages_arrive_exactly_once(int qos, int version) throws Exception {
        ThroughputSpec spec = new ThroughputSpec(version, 1, 1, qos, 64, 100, 10, 4, Duration.ofSeconds(20), 0);

        ThroughputResult r = new ThroughputRun(endpoint, probe).run(spec);

        assertThat(r.failure()).isNull();
        assertThat(r.sent()).isEqualTo(100);
        assertThat(r.received()).isEqualTo(100);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.latency().count()).isEqualTo(100);
        assertThat(r.brokerCpuSeconds()).isGreaterThanOrEqualTo(0);
    }

    @ParameterizedTest
    @CsvSource({"4", "5"})
    void persistent_session_subscriber_gets_everything(int version) throws Exception {
        ThroughputSpec spec = new ThroughputSpec(version, 3, 1, 1, 64, 50, 10, 4, Duration.ofSeconds(20), 0)
                .withPersistentSession();

        ThroughputResult r = new ThroughputRun(endpoint, probe).run(spec);

        assertThat(spec.persistentSession()).isTrue();
        assertThat(r.failure()).isNull();
        assertThat(r.received()).isEqualTo(150);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
    }

    @Test
    void fan_out_and_fan_in_count_every_copy() throws Exception {
        ThroughputResult out = new ThroughputRun(endpoint, probe)
                .run(new ThroughputSpec(Wire.V311, 1, 5, 1, 64, 20, 10, 8, Duration.ofSeconds(20), 0));
        assertThat(out.expected()).isEqualTo(100);
        assertThat(out.received()).isEqualTo(100);
        assertThat(out.lost()).isZero();
        assertThat(out.duplicates()).isZero();

        ThroughputResult in = new ThroughputRun(endpoint, probe)
                .run(new ThroughputSpec(Wire.V311, 5, 1, 1, 64, 20, 10, 8, Duration.ofSeconds(20), 0));
        assertThat(in.sent()).isEqualTo(100);
        assertThat(in.received()).isEqualTo(100);
        assertThat(in.lost()).isZero();
    }

    @Test
    void fixed_rate_run_sends_on_schedule() throws Exception {
        ThroughputSpec spec = new ThroughputSpec(Wire.V311, 1, 1, 0, 64, 100, 10, 4, Duration.ofSeconds(20), 0)
                .withRate(1_000);
        ThroughputResult r = new ThroughputRun(endpoint, probe).run(spec);
        assertThat(r.received()).isEqualTo(100);
        assertThat(r.lost()).isZero();
    }

    @Test
    void connection_rate_and_idle_connections() throws Exception {
        ConnectRateResult rate = new ConnectRateRun(endpoint, probe)
                .run(50, 10, Wire.V311, i -> Credentials.ANONYMOUS, 20_000_000_000L);
        assertThat(rate.connected()).isEqualTo(50);
        assertThat(rate.failed()).isZero();

        IdleResult idle = new IdleConnectionsRun(endpoint, probe).run(20, Wire.V5, 20_000_000_000L);
        assertThat(idle.connected()).isEqualTo(20);
        assertThat(idle.rssAfter()).isPositive();
    }

    @Test
    void cold_start_run_checks_every_acknowledged_sequence() throws Exception {
        ColdStartResult r = new ColdStartRun(endpoint).run(1, 64, 1_000, Duration.ofMillis(200));
        assertThat(r.failure()).isNull();
        assertThat(r.sent()).isBetween(150L, 201L);
        assertThat(r.acked()).isEqualTo(r.sent());
        assertThat(r.delivered()).isEqualTo(r.sent());
        assertThat(r.lost()).isZero();
        assertThat(r.unackedUndelivered()).isZero();
        assertThat(r.duplicates()).isZero();
        long dueInTimeline = r.timeline().intervals().stream().mapToLong(i -> i.sent()).sum();
        assertThat(dueInTimeline).isEqualTo(r.sent());
    }

    @Test
    void non_reading_client_writes_until_stopped_and_never_blocks() throws Exception {
        NonReadingClient bad = new NonReadingClient(endpoint, "bench-bad", "bench/nobody", 64, 10_000_000_000L).start();
        try {
            long until = System.nanoTime() + 5_000_000_000L;
            while (bad.bytesWritten() < 100_000 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(bad.bytesWritten()).isGreaterThanOrEqualTo(100_000);
        } finally {
            bad.close();
        }
        assertThat(bad.running()).isFalse();
        assertThat(bad.endReason()).isNotNull();
        // The broker is still fine for everyone else.
        ThroughputResult r = new ThroughputRun(endpoint, probe)
                .run(new ThroughputSpec(Wire.V311, 1, 1, 1, 64, 50, 10, 4, Duration.ofSeconds(20), 0));
        assertThat(r.lost()).isZero();
    }
}
