package dev.gatehouse.broker.store;

import java.util.concurrent.CompletableFuture;

/**
 * Where the broker keeps the state that must survive a restart: sessions, their queued and in-flight
 * QoS 1/2 messages, inbound QoS 2 packet ids, delayed wills and retained messages, as plain records.
 * Live sessions and the retained index are rebuilt from {@link #load()} at start and write every change
 * through {@link #commit}.
 *
 * <p>Implementations: {@link MemoryStateStore} (the default when embedding: nothing survives the process),
 * and durable ones in their own modules. The broker never calls a store on an I/O thread in a way that
 * waits: {@code commit} only hands the batch over.
 */
public interface StateStore extends AutoCloseable {

    /** Everything stored, read once before the broker accepts connections. */
    StoredState load();

    /**
     * Apply {@code changes} atomically, in order. The future completes (on the store's own thread, or at
     * once for a store that needs no I/O) when they are as durable as the store's sync setting promises;
     * it fails when they could not be written (for instance the disk is full), and then none of them was.
     * Never blocks the caller.
     */
    CompletableFuture<Void> commit(Changes changes);

    /** Whether writes currently fail for lack of space: new persistent QoS 1/2 messages are then refused. */
    default boolean full() {
        return false;
    }

    /** Flush what is pending and release the store. */
    @Override
    void close();
}
