package dev.gatehouse.broker.testing;

import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import java.util.function.Consumer;

/** A broker on 127.0.0.1 with a free port, for one test; {@link #close()} stops it. */
public final class TestBroker implements AutoCloseable {
    public static final String LISTENER = "test";

    private final Broker broker;

    private TestBroker(Broker broker) {
        this.broker = broker;
    }

    /** Start a broker whose single listener is {@code listener} (bound to 127.0.0.1:0); customize the rest. */
    public static TestBroker start(ListenerConfig listener, Consumer<Broker.Builder> customize) {
        Broker.Builder b = Broker.builder().listener(listener).ioThreads(2);
        customize.accept(b);
        Broker broker = b.build();
        broker.start().join();
        return new TestBroker(broker);
    }

    /** Start with a listener named {@value #LISTENER} on a free loopback port. */
    public static TestBroker start(Consumer<Broker.Builder> customize) {
        return start(ListenerConfig.tcp(LISTENER, "127.0.0.1", 0), customize);
    }

    public Broker broker() {
        return broker;
    }

    public int port() {
        return broker.port(broker.boundAddresses().keySet().iterator().next());
    }

    @Override
    public void close() {
        broker.stop().join();
    }
}
