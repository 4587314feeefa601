package dev.gatehouse.ops;

import dev.gatehouse.authn.spi.AuthenticatorMetrics;
import dev.gatehouse.broker.BrokerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * What the jar wires for operations: a Prometheus registry with JVM and Netty metrics, the broker and authenticator
 * metrics bound to it, and (when asked) the HTTP endpoint. Hand {@link #brokerMetrics()} to
 * {@code Broker.Builder.metrics} and {@link #authenticatorMetrics()} to the authenticators' context before the
 * broker is built; {@link #startHttp} may run before the broker starts (it answers "not ready" until then).
 */
public final class Operations implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerMetrics metrics = new MicrometerMetrics(registry).withJvmAndNetty();
    private volatile OpsHttpServer http;

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public BrokerMetrics brokerMetrics() {
        return metrics;
    }

    public AuthenticatorMetrics authenticatorMetrics() {
        return metrics;
    }

    /** Serve {@code /metrics} and {@code /health/*} on {@code host:port}; throws when it cannot bind. */
    public OpsHttpServer startHttp(String host, int port) {
        OpsHttpServer s = OpsHttpServer.start(host, port, registry, metrics::broker);
        http = s;
        return s;
    }

    @Override
    public void close() {
        OpsHttpServer s = http;
        if (s != null) {
            s.close();
        }
        metrics.close();
        registry.close();
    }
}
