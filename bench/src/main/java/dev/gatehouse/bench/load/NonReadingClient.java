package dev.gatehouse.bench.load;

import dev.gatehouse.bench.wire.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A misbehaving client: connects (CONNECT, clean session), then writes QoS 1 PUBLISHes to a topic nobody
 * subscribes to, with a PINGREQ after every 16, as fast as its socket accepts them, and never reads its socket
 * (not even the CONNACK). The broker's PUBACKs and PINGRESPs pile up in its receive buffer and then in the
 * broker. Runs on a thread of its own with a non-blocking socket (a selector waits for room, at most 50 ms at a
 * time), so it can never block the harness, and stops at its deadline or at {@link #close}, whichever is first.
 */
public final class NonReadingClient implements AutoCloseable {
    private static final int PUBLISHES_PER_PING = 16;

    private final InetSocketAddress broker;
    private final String clientId;
    private final byte[] topic;
    private final int payloadSize;
    private final long deadlineNanos;
    private final Thread thread;
    private volatile boolean stop;
    private volatile long bytesWritten;
    private volatile long publishesWritten;
    private volatile long startedNanos;
    private volatile long endedNanos;
    private volatile String endReason;

    /**
     * @param maxRun upper bound on how long it writes (nanoseconds), whatever happens
     */
    public NonReadingClient(Endpoint endpoint, String clientId, String topic, int payloadSize, long maxRun) {
        this.broker = endpoint.broker();
        this.clientId = clientId;
        this.topic = Wire.utf8(topic);
        this.payloadSize = payloadSize;
        this.deadlineNanos = System.nanoTime() + maxRun;
        this.thread = new Thread(this::runSafely, "bench-non-reading-client");
        this.thread.setDaemon(true);
    }

    public NonReadingClient start() {
        thread.start();
        return this;
    }

    private void runSafely() {
        try {
            run();
        } catch (IOException | RuntimeException e) {
            if (endReason == null) {
                endReason = "closed by broker or failed after " + bytesWritten + " bytes: " + e.getMessage();
            }
        } finally {
            endedNanos = System.nanoTime();
        }
    }

    private void run() throws IOException {
        // One block of packets, written over and over: packet ids 1..n then again (a QoS 1 id may be reused
        // once acknowledged; from the broker's side each of these was acknowledged when it sent the PUBACK).
        byte[] payload = new byte[payloadSize];
        int onePublish = Wire.publishSize(Wire.V311, topic.length, 1, payloadSize);
        int perGroup = PUBLISHES_PER_PING * onePublish + 2;
        ByteBuffer block = ByteBuffer.allocateDirect(Math.max(1, (256 * 1024) / perGroup) * perGroup);
        int id = 1;
        int publishesPerBlock = 0;
        while (block.remaining() >= perGroup) {
            for (int i = 0; i < PUBLISHES_PER_PING; i++) {
                Wire.publish(block, Wire.V311, topic, 1, false, id, payload, payloadSize);
                id = id == 65_535 ? 1 : id + 1;
                publishesPerBlock++;
            }
            Wire.pingreq(block);
        }
        block.flip();
        try (Selector selector = Selector.open(); SocketChannel ch = SocketChannel.open()) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
            if (!ch.connect(broker)) {
                while (!ch.finishConnect()) {
                    if (stop || System.nanoTime() - deadlineNanos >= 0) {
                        endReason = "never connected";
                        return;
                    }
                    selector.select(50);
                    selector.selectedKeys().clear();
                }
            }
            key.interestOps(SelectionKey.OP_WRITE);
            ByteBuffer connect = ByteBuffer.allocate(256);
            Wire.connect(connect, Wire.V311, clientId, 60, null, null, null, null);
            connect.flip();
            startedNanos = System.nanoTime();
            ByteBuffer current = connect;
            while (!stop) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    endReason = "deadline";
                    return;
                }
                int n = ch.write(current);
                bytesWritten += n;
                if (!current.hasRemaining()) {
                    if (current == block) {
                        publishesWritten += publishesPerBlock;
                    }
                    current = block;
                    block.rewind();
                    continue;
                }
                if (n == 0) {
                    // The socket is full: the broker stopped reading us, or is slower than we write.
                    selector.select(50);
                    selector.selectedKeys().clear();
                }
            }
            endReason = "stopped";
        }
    }

    /** Whether it is still writing (false once the broker closed it, the deadline passed, or it was stopped). */
    public boolean running() {
        return thread.isAlive();
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    /** Whole blocks of PUBLISHes handed to the socket (a lower bound on what the broker received). */
    public long publishesWritten() {
        return publishesWritten;
    }

    /** Null while running; then "stopped", "deadline", or how the broker ended it. */
    public String endReason() {
        return endReason;
    }

    /** Seconds from its CONNECT to its end (or to now while running). */
    public double secondsAlive() {
        long s = startedNanos;
        if (s == 0) {
            return 0;
        }
        long e = endedNanos == 0 ? System.nanoTime() : endedNanos;
        return (e - s) / 1e9;
    }

    /** Stops writing and closes the socket with a reset (SO_LINGER 0); waits at most 2 s for its thread. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
