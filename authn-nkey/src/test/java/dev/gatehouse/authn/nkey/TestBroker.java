package dev.gatehouse.authn.nkey;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.MapSettings;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A real broker on a loopback port with an nkey authenticator built from settings. */
final class TestBroker implements AutoCloseable {
    final Broker broker;
    final NKeyAuthenticator authenticator;
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    TestBroker(Map<String, Object> settings, Clock clock, Limits limits) {
        this(settings, clock, limits, null, false);
    }

    /**
     * @param blockingExecutor what the authenticator's context hands out as blocking executor (null: a
     *                         thread pool); lets a test hold resolver look-ups
     * @param webSocket        also open a WebSocket listener named {@code ws} (path {@code /mqtt})
     */
    TestBroker(Map<String, Object> settings, Clock clock, Limits limits, java.util.concurrent.Executor blockingExecutor,
               boolean webSocket) {
        AuthenticatorContext ctx = new AuthenticatorContext(clock,
                blockingExecutor == null ? blocking : blockingExecutor, scheduler);
        Authenticator a = new NKeyAuthenticatorFactory().create(MapSettings.of("auth.0", settings), ctx);
        this.authenticator = (NKeyAuthenticator) a;
        Broker.Builder b = Broker.builder().listener(ListenerConfig.tcp("default", "127.0.0.1", 0));
        if (webSocket) {
            b.listener(ListenerConfig.ws("ws", "127.0.0.1", 0));
        }
        this.broker = b
                .authenticator(a)
                .clock(clock)
                .limits(limits)
                .ioThreads(2)
                .build();
        broker.start().join();
    }

    TestBroker(Map<String, Object> settings, Clock clock) {
        this(settings, clock, Limits.defaults());
    }

    TestBroker(Map<String, Object> settings) {
        this(settings, Clock.systemUTC());
    }

    int port() {
        return broker.port("default");
    }

    Mqtt5BlockingClient client(Mqtt5EnhancedAuthMechanism auth) {
        return Mqtt5Client.builder().identifier("c-" + UUID.randomUUID()).serverHost("127.0.0.1").serverPort(port())
                .enhancedAuth(auth).buildBlocking();
    }

    /** A client of the {@code ws} listener (WebSocket, path {@code /mqtt}). */
    Mqtt5BlockingClient wsClient(Mqtt5EnhancedAuthMechanism auth) {
        return Mqtt5Client.builder().identifier("w-" + UUID.randomUUID()).serverHost("127.0.0.1")
                .serverPort(broker.port("ws")).webSocketConfig().serverPath("mqtt").applyWebSocketConfig()
                .enhancedAuth(auth).buildBlocking();
    }

    /** The CONNACK reason code of a refused connect of {@code c}. */
    static int refusal(Mqtt5BlockingClient c) {
        try {
            c.connect();
        } catch (Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode().getCode();
        }
        c.disconnect();
        throw new AssertionError("the connection was accepted");
    }

    /** Connect and return the client, or throw the CONNACK exception. */
    Mqtt5BlockingClient connect(Mqtt5EnhancedAuthMechanism auth) {
        Mqtt5BlockingClient c = client(auth);
        c.connectWith().cleanStart(true).send();
        return c;
    }

    /** The CONNACK reason code of a refused connect. */
    int refusal(Mqtt5EnhancedAuthMechanism auth) {
        Mqtt5BlockingClient c = client(auth);
        try {
            c.connect();
        } catch (Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode().getCode();
        }
        c.disconnect();
        throw new AssertionError("the connection was accepted");
    }

    static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        broker.stop().join();
        blocking.shutdownNow();
        scheduler.shutdownNow();
    }
}
