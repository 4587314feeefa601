package dev.gatehouse.ops;

import dev.gatehouse.authn.spi.AuthenticatorMetrics;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.BrokerMetrics;
import dev.gatehouse.broker.BrokerStats;
import dev.gatehouse.broker.CloseReason;
import dev.gatehouse.broker.DropReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The broker's metrics seam ({@link BrokerMetrics}) and the authenticators' ({@link AuthenticatorMetrics}) bound to a
 * Micrometer {@link MeterRegistry}. Counters and gauges read {@link BrokerStats} when the registry is scraped, so the
 * broker's I/O threads only ever touch their own lock-free counters; this class is called on a CONNECT's decision
 * (a counter and a timer looked up by authenticator name, a bounded set) and on a JWKS/account-server fetch.
 *
 * <p>No label carries a client id, topic, user or URL: every label's values are a fixed set (QoS, reasons) or come
 * from the configuration (authenticator names, source kinds). The names are listed in docs/operations.md.
 */
public final class MicrometerMetrics implements BrokerMetrics, AuthenticatorMetrics, AutoCloseable {
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile Broker broker;
    private JvmGcMetrics gc;

    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The broker this was bound to, or null before {@link Broker.Builder#build()}. */
    public Broker broker() {
        return broker;
    }

    /** JVM memory, GC, threads, class loading, CPU, uptime, and Netty's default allocator (heap and direct). */
    public MicrometerMetrics withJvmAndNetty() {
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            new NettyAllocatorMetrics(p).bindTo(registry);
        }
        return this;
    }

    @Override
    public void bind(Broker b, BrokerStats s) {
        this.broker = b;
        gauge("gatehouse.connections.open", "network connections open now (admitted or not yet)", s,
                BrokerStats::connectionsOpen);
        gauge("gatehouse.clients.connected", "clients that completed CONNECT and are connected", s,
                BrokerStats::clientsConnected);
        counter("gatehouse.connections.opened", "network connections accepted", s, BrokerStats::connectionsOpened);
        for (CloseReason r : CloseReason.values()) {
            FunctionCounter.builder("gatehouse.connections.closed", s, x -> x.connectionsClosed(r))
                    .description("network connections closed, by reason").tag("reason", r.label()).register(registry);
        }
        for (int q = 0; q <= 2; q++) {
            int qos = q;
            String tag = Integer.toString(q);
            FunctionCounter.builder("gatehouse.messages.received", s, x -> x.messagesReceived(qos))
                    .description("PUBLISH packets received from clients").tag("qos", tag).register(registry);
            FunctionCounter.builder("gatehouse.messages.sent", s, x -> x.messagesSent(qos))
                    .description("PUBLISH packets sent to clients").tag("qos", tag).register(registry);
            FunctionCounter.builder("gatehouse.payload.received", s, x -> x.bytesReceived(qos)).baseUnit(BaseUnits.BYTES)
                    .description("payload bytes of PUBLISH packets received").tag("qos", tag).register(registry);
            FunctionCounter.builder("gatehouse.payload.sent", s, x -> x.bytesSent(qos)).baseUnit(BaseUnits.BYTES)
                    .description("payload bytes of PUBLISH packets sent").tag("qos", tag).register(registry);
        }
        for (DropReason r : DropReason.values()) {
            FunctionCounter.builder("gatehouse.messages.dropped", s, x -> x.dropped(r))
                    .description("messages not delivered or not kept, by reason")
                    .tag("reason", r.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        FunctionCounter.builder("gatehouse.permission.denials", s, BrokerStats::deniedPublishes)
                .description("PUBLISH packets and SUBSCRIBE filters refused by permissions").tag("action", "publish")
                .register(registry);
        FunctionCounter.builder("gatehouse.permission.denials", s, BrokerStats::deniedSubscribes)
                .description("PUBLISH packets and SUBSCRIBE filters refused by permissions").tag("action", "subscribe")
                .register(registry);
        Gauge.builder("gatehouse.sessions", s, x -> x.sessions() - x.offlineSessions()).strongReference(true)
                .description("sessions held, by state").tag("state", "connected").register(registry);
        Gauge.builder("gatehouse.sessions", s, BrokerStats::offlineSessions).strongReference(true)
                .description("sessions held, by state").tag("state", "offline").register(registry);
        gauge("gatehouse.subscriptions", "subscriptions held by all sessions", s, BrokerStats::subscriptions);
        gauge("gatehouse.retained.messages", "retained topics held ($SYS included)", s, BrokerStats::retainedMessages);
        gauge("gatehouse.messages.queued", "messages waiting in session queues", s, BrokerStats::queuedMessages);
        gauge("gatehouse.messages.inflight", "outbound QoS 1/2 messages not yet acknowledged", s,
                BrokerStats::inflightMessages);
        Gauge.builder("gatehouse.outbound.buffered", s, x -> x.flow().outboundBufferedBytes()).strongReference(true)
                .baseUnit(BaseUnits.BYTES).description("bytes waiting in connections' outbound buffers")
                .register(registry);
        Gauge.builder("gatehouse.reads.paused", s, x -> x.flow().readsPausedUnwritable()).strongReference(true)
                .description("connections not read from, by cause").tag("cause", "unwritable").register(registry);
        Gauge.builder("gatehouse.reads.paused", s, x -> x.flow().readsPausedCongested()).strongReference(true)
                .description("connections not read from, by cause").tag("cause", "congested").register(registry);
        counter("gatehouse.slow.consumer.disconnects", "connections closed for not reading their socket", s,
                x -> x.flow().slowConsumerDisconnects());
    }

    private void gauge(String name, String description, BrokerStats s, ToDoubleFunction<BrokerStats> f) {
        Gauge.builder(name, s, f).strongReference(true).description(description).register(registry);
    }

    private void counter(String name, String description, BrokerStats s, ToDoubleFunction<BrokerStats> f) {
        FunctionCounter.builder(name, s, f).description(description).register(registry);
    }

    @Override
    public void connectDecided(String authenticator, String outcome, long nanos) {
        counters.computeIfAbsent("connect " + authenticator + " " + outcome, k -> Counter.builder("gatehouse.connects")
                .description("CONNECT decisions, by authenticator and outcome (success or the failure reason)")
                .tag("authenticator", authenticator).tag("outcome", outcome).register(registry)).increment();
        timers.computeIfAbsent(authenticator, k -> Timer.builder("gatehouse.auth.latency")
                .description("from CONNECT to the authenticator chain's decision, by deciding authenticator")
                .tag("authenticator", authenticator)
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
                        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void fetched(String source, boolean succeeded) {
        String result = succeeded ? "success" : "failure";
        counters.computeIfAbsent("fetch " + source + " " + result, k -> Counter.builder("gatehouse.auth.source.fetches")
                .description("fetches of authenticator sources (JWKS endpoints, account servers), by result")
                .tag("source", source).tag("result", result).register(registry)).increment();
    }

    @Override
    public void close() {
        if (gc != null) {
            gc.close();
        }
    }
}
