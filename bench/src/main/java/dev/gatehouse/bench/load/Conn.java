package dev.gatehouse.bench.load;

import dev.gatehouse.bench.wire.FrameParser;
import dev.gatehouse.bench.wire.MalformedPacketException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One non-blocking MQTT connection: a socket, a read buffer cut into packets in place and a write
 * buffer that handlers fill with whole packets and {@link #flush} sends in as few system calls as
 * the socket allows (that is where writes get batched).
 */
public final class Conn {
    private final SocketChannel channel;
    private final ByteBuffer in;
    private final ByteBuffer out;
    private final int version;
    private final ConnHandler handler;
    private SelectionKey key;
    private boolean closed;

    Conn(SocketChannel channel, int inSize, int outSize, int version, ConnHandler handler) {
        this.channel = channel;
        this.in = ByteBuffer.allocate(inSize);
        this.out = ByteBuffer.allocate(outSize);
        this.version = version;
        this.handler = handler;
    }

    void attach(SelectionKey k) {
        this.key = k;
    }

    /** The write buffer, in put mode: append whole packets, then {@link #flush}. */
    public ByteBuffer out() {
        return out;
    }

    public int version() {
        return version;
    }

    public ConnHandler handler() {
        return handler;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Makes room for {@code bytes} more in the write buffer by flushing; if the broker is not reading
     * and there is still no room, the connection is closed rather than an ack silently dropped.
     */
    public boolean ensureSpace(int bytes) {
        if (out.remaining() >= bytes) {
            return true;
        }
        flush();
        if (out.remaining() >= bytes) {
            return true;
        }
        close("write buffer full: the broker stopped reading");
        return false;
    }

    /** Writes what the socket takes now; waits for OP_WRITE for the rest. */
    public void flush() {
        if (closed || out.position() == 0) {
            return;
        }
        out.flip();
        try {
            channel.write(out);
        } catch (IOException e) {
            out.clear();
            close("write failed: " + e.getMessage());
            return;
        }
        out.compact();
        if (key != null && key.isValid()) {
            key.interestOps(out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    void finishConnect() {
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            close("connect failed: " + e.getMessage());
            return;
        }
        key.interestOps(SelectionKey.OP_READ);
        handler.onTcpConnected(this);
    }

    void readReady() {
        // Bounded: at most a few buffers per wake-up so one busy socket cannot starve the others.
        for (int i = 0; i < 4 && !closed; i++) {
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                close("read failed: " + e.getMessage());
                return;
            }
            if (n < 0) {
                close("closed by broker");
                return;
            }
            if (n == 0) {
                break;
            }
            try {
                FrameParser.drain(in, (type, flags, buf, start, length) ->
                        handler.onFrame(this, type, flags, buf, start, length));
            } catch (MalformedPacketException e) {
                close("malformed packet: " + e.getMessage());
                return;
            }
            if (in.hasRemaining()) {
                break;
            }
        }
        flush();
    }

    /** Closes the socket once and tells the handler. */
    public void close(String why) {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Already gone: nothing left to release.
        }
        handler.onClosed(this, why);
    }
}
