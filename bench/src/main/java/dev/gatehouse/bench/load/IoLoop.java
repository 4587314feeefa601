package dev.gatehouse.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A single-threaded selector loop over many {@link Conn}s. One thread is deliberate: on a 2-core machine
 * the generator should take one core and leave the other to the broker, and one thread needs no locks.
 */
public final class IoLoop implements AutoCloseable {
    private final Selector selector;

    public IoLoop() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a non-blocking connect from {@code local} (null: any) to {@code remote}. */
    public Conn open(InetSocketAddress remote, InetSocketAddress local, int inSize, int outSize, int version,
                     ConnHandler handler) throws IOException {
        if (!remote.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the load generator only talks to loopback: " + remote);
        }
        SocketChannel ch = SocketChannel.open();
        Conn conn = new Conn(ch, inSize, outSize, version, handler);
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (local != null) {
                ch.bind(local);
            }
            boolean connected = ch.connect(remote);
            SelectionKey key = ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, conn);
            conn.attach(key);
            if (connected) {
                handler.onTcpConnected(conn);
            }
        } catch (IOException e) {
            conn.close("connect failed: " + e.getMessage());
        }
        return conn;
    }

    /** Handles whatever is ready within {@code timeoutNanos} (0: only what is ready now). */
    public int poll(long timeoutNanos) throws IOException {
        int ready;
        if (timeoutNanos >= 1_000_000) {
            ready = selector.select(timeoutNanos / 1_000_000);
        } else {
            ready = selector.selectNow();
            if (ready == 0 && timeoutNanos > 0) {
                // Finer than select's millisecond: a short park, then look again.
                LockSupport.parkNanos(timeoutNanos);
                ready = selector.selectNow();
            }
        }
        if (ready == 0) {
            return 0;
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Conn conn = (Conn) key.attachment();
            if (!key.isValid()) {
                continue;
            }
            int ops = key.readyOps();
            if ((ops & SelectionKey.OP_CONNECT) != 0) {
                conn.finishConnect();
                continue;
            }
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                conn.flush();
            }
            if ((ops & SelectionKey.OP_READ) != 0 && key.isValid()) {
                conn.readReady();
            }
        }
        return ready;
    }

    /**
     * Polls until {@code done} or the deadline, running {@code eachTurn} before every poll.
     *
     * @return true if done, false if the deadline came first
     */
    public boolean runUntil(BooleanSupplier done, long deadlineNanos, Runnable eachTurn) throws IOException {
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            eachTurn.run();
            poll(1_000_000);
        }
        return true;
    }

    @Override
    public void close() {
        for (SelectionKey key : new java.util.ArrayList<>(selector.keys())) {
            Object a = key.attachment();
            if (a instanceof Conn) {
                ((Conn) a).close("loop closed");
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // Closing is best effort: every channel was closed above.
        }
    }
}
