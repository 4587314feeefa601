package dev.gatehouse.broker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs the broker's hot paths before its listeners accept clients, so that the first clients meet compiled code.
 *
 * <p>Why: on a freshly started JVM the PUBLISH path (Netty's read loop, the MQTT decoder, routing, the session
 * queue, the encoder, the flush) first runs in the bytecode interpreter, which on a small machine handles fewer
 * messages per second than a modest steady load offers. Measured on 2 cores at 10 000 QoS 1 msg/s
 * (docs/performance.md, "Cold start"): a 200–450 ms stall right after start, during which the subscriber's queue
 * overflows and acknowledged QoS 1 messages are dropped; with {@code -Xint} the broker never catches up, with C1
 * only the stall remains, with C2 only it lasts 1.5–2 s. So the fix is to get that code compiled first.
 *
 * <p>How: a plain client written here (no library) opens a publisher and a subscriber over loopback TCP to a
 * temporary listener that only this warm-up knows, and sends batches of PUBLISHes at QoS 0, 1 and 2 through the
 * real pipeline (MQTT 3.1.1 and 5.0 in turn, an exact and a wildcard subscription), answering every
 * acknowledgement flow, until the time budget or the message cap is reached. It never throws: a refused CONNECT
 * (an authenticator that says no to anonymous loopback clients), a timeout or an I/O error ends it early, and the
 * report says so. It runs on its own thread, never on an event loop.
 */
final class StartupWarmUp {
    /** Name of the temporary listener; never announced, unbound before the real listeners are bound. */
    static final String LISTENER = "gatehouse-warm-up";
    /** Messages per round trip: small enough that no socket buffer ever fills, big enough to batch. */
    private static final int BATCH = 48;
    /** Messages per pair of connections, after which both reconnect (warms CONNECT/SUBSCRIBE/DISCONNECT too). */
    private static final int PER_CONNECTION = 40_000;
    private static final int CONNECT = 1;
    private static final int CONNACK = 2;
    private static final int PUBLISH = 3;
    private static final int PUBACK = 4;
    private static final int PUBREC = 5;
    private static final int PUBREL = 6;
    private static final int PUBCOMP = 7;
    private static final int SUBACK = 9;

    /** What it did: messages published (each delivered once), connections opened, and why it stopped. */
    record Report(long messages, int connections, long nanos, String stoppedBecause, long lastWindowCompileMillis) {
        boolean completed() {
            return stoppedBecause.equals("settled") || stoppedBecause.equals("budget")
                    || stoppedBecause.equals("message cap");
        }
    }

    /** The JIT counts as settled once it spent less than this much compile time ... */
    private static final long QUIET_COMPILE_MILLIS = 20;
    /** ... in a window this long, */
    private static final long QUIET_WINDOW_NANOS = 500_000_000L;
    /** and not before this much warm-up. */
    private static final long MIN_NANOS = 1_000_000_000L;

    private final InetSocketAddress target;
    private final long startNanos = System.nanoTime();
    private final long deadline;
    private final java.lang.management.CompilationMXBean jit = jitBean();
    private long windowStart = startNanos;
    private long windowCompileMillis;
    private boolean settled;
    /** JIT compile time in the last full window, -1 before the first (or without compile-time monitoring). */
    private long lastWindowCompileMillis = -1;
    private final long maxMessages;
    private final byte[] payload = new byte[64];
    private long messages;
    private int connections;

    StartupWarmUp(InetSocketAddress target, Duration budget, long maxMessages) {
        this.target = target;
        this.deadline = System.nanoTime() + budget.toNanos();
        this.maxMessages = maxMessages;
        ThreadLocalRandom.current().nextBytes(payload);
    }

    Report run() {
        long start = System.nanoTime();
        String why;
        try {
            why = loop();
        } catch (IOException | RuntimeException e) {
            why = "failed: " + e;
        }
        return new Report(messages, connections, System.nanoTime() - start, why, lastWindowCompileMillis);
    }

    private String loop() throws IOException {
        int round = 0;
        while (true) {
            int version = round % 2 == 0 ? 4 : 5;
            String tag = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
            String topic = "gatehouse/warm-up/" + tag + "/t";
            String filter = version == 5 ? "gatehouse/warm-up/" + tag + "/+" : topic;
            try (Selector selector = Selector.open();
                 Peer sub = new Peer(selector, "gatehouse-warm-up-" + tag + "-s", version);
                 Peer pub = new Peer(selector, "gatehouse-warm-up-" + tag + "-p", version)) {
                connections += 2;
                if (!sub.connect() || !pub.connect()) {
                    return out() ? "budget" : "CONNECT refused";
                }
                sub.subscribe(filter);
                while (!sub.subscribed) {
                    if (out() || !pump(selector, sub, pub)) {
                        return out() ? "budget" : "no SUBACK";
                    }
                    if (sub.refused) {
                        return "SUBSCRIBE refused";
                    }
                }
                byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
                for (int sent = 0; sent < PER_CONNECTION; sent += BATCH) {
                    checkSettled();
                    if (out()) {
                        return settled ? "settled" : messages >= maxMessages ? "message cap" : "budget";
                    }
                    if (!batch(selector, sub, pub, topicBytes)) {
                        return out() ? "budget" : "a batch did not complete";
                    }
                }
                sub.disconnect();
                pub.disconnect();
            }
            round++;
        }
    }

    private boolean out() {
        return settled || messages >= maxMessages || System.nanoTime() - deadline >= 0;
    }

    private static java.lang.management.CompilationMXBean jitBean() {
        java.lang.management.CompilationMXBean b = java.lang.management.ManagementFactory.getCompilationMXBean();
        return b != null && b.isCompilationTimeMonitoringSupported() ? b : null;
    }

    /**
     * Ends the warm-up early once the JIT has settled: after {@link #MIN_NANOS}, a {@link #QUIET_WINDOW_NANOS} window in
     * which the compilers spent under {@link #QUIET_COMPILE_MILLIS}. While they are busy they take CPU from the event
     * loop (on 2 cores measurably), and the hot paths are still running in the interpreter or in profiling code.
     */
    private void checkSettled() {
        if (jit == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - windowStart < QUIET_WINDOW_NANOS) {
            return;
        }
        long total = jit.getTotalCompilationTime();
        lastWindowCompileMillis = total - windowCompileMillis;
        if (now - startNanos >= MIN_NANOS && lastWindowCompileMillis < QUIET_COMPILE_MILLIS) {
            settled = true;
        }
        windowStart = now;
        windowCompileMillis = total;
    }

    /** One batch of QoS 0, 1, 2 in turn: every message delivered, every flow completed on both sides. */
    private boolean batch(Selector selector, Peer sub, Peer pub, byte[] topic) throws IOException {
        int qos12 = 0;
        int qos2 = 0;
        sub.delivered = 0;
        sub.released = 0;
        pub.completed = 0;
        for (int i = 0; i < BATCH; i++) {
            int qos = i % 3;
            pub.publish(topic, qos, i + 1, payload);
            if (qos > 0) {
                qos12++;
            }
            if (qos == 2) {
                qos2++;
            }
        }
        pub.flush();
        while (sub.delivered < BATCH || sub.released < qos2 || pub.completed < qos12) {
            if (System.nanoTime() - deadline >= 0 || !pump(selector, sub, pub)) {
                return false;
            }
        }
        messages += BATCH;
        return true;
    }

    /** Waits up to 100 ms for input and handles it; false if a connection closed. */
    private boolean pump(Selector selector, Peer a, Peer b) throws IOException {
        selector.select(100);
        selector.selectedKeys().clear();
        return a.read() && b.read();
    }

    /** One client connection: a non-blocking socket, whole packets in and out. */
    private final class Peer implements AutoCloseable {
        private final SocketChannel ch;
        private final String clientId;
        private final int version;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        private final ByteBuffer out = ByteBuffer.allocate(64 * 1024);
        private final Selector selector;
        boolean connected;
        boolean refused;
        boolean subscribed;
        int delivered;
        int released;
        int completed;

        Peer(Selector selector, String clientId, int version) throws IOException {
            this.selector = selector;
            this.clientId = clientId;
            this.version = version;
            this.ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(target);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, this);
        }

        boolean connect() throws IOException {
            byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
            int remaining = 2 + 4 + 1 + 1 + 2 + (version == 5 ? 1 : 0) + 2 + id.length;
            out.put((byte) (CONNECT << 4));
            varInt(remaining);
            string("MQTT".getBytes(StandardCharsets.US_ASCII));
            out.put((byte) version).put((byte) 0x02).putShort((short) 60);
            if (version == 5) {
                out.put((byte) 0);
            }
            string(id);
            flush();
            while (!connected && !refused) {
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
                selector.select(100);
                selector.selectedKeys().clear();
                if (!read()) {
                    return false;
                }
            }
            return connected;
        }

        void subscribe(String filter) throws IOException {
            byte[] f = filter.getBytes(StandardCharsets.UTF_8);
            out.put((byte) (8 << 4 | 0x02));
            varInt(2 + (version == 5 ? 1 : 0) + 2 + f.length + 1);
            out.putShort((short) 1);
            if (version == 5) {
                out.put((byte) 0);
            }
            string(f);
            out.put((byte) 2);
            flush();
        }

        void publish(byte[] topic, int qos, int id, byte[] body) {
            out.put((byte) (PUBLISH << 4 | qos << 1));
            varInt(2 + topic.length + (qos > 0 ? 2 : 0) + (version == 5 ? 1 : 0) + body.length);
            string(topic);
            if (qos > 0) {
                out.putShort((short) id);
            }
            if (version == 5) {
                out.put((byte) 0);
            }
            out.put(body);
        }

        void ack(int type, int id) {
            out.put((byte) (type << 4 | (type == PUBREL ? 0x02 : 0))).put((byte) 2).putShort((short) id);
        }

        void disconnect() throws IOException {
            out.put((byte) 0xE0).put((byte) 0);
            flush();
        }

        /** Writes everything buffered; the amounts are far below a socket buffer, so this rarely waits. */
        void flush() throws IOException {
            out.flip();
            while (out.hasRemaining()) {
                if (ch.write(out) == 0) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new IOException("write timed out");
                    }
                    Thread.onSpinWait();
                }
            }
            out.clear();
        }

        /** Reads what is there and handles every whole packet; false if the broker closed the connection. */
        boolean read() throws IOException {
            int n = ch.read(in);
            if (n < 0) {
                return false;
            }
            in.flip();
            while (in.remaining() >= 2) {
                in.mark();
                int header = in.get() & 0xFF;
                int length = 0;
                int shift = 0;
                boolean complete = false;
                while (in.hasRemaining()) {
                    int digit = in.get() & 0xFF;
                    length |= (digit & 0x7F) << shift;
                    shift += 7;
                    if ((digit & 0x80) == 0) {
                        complete = true;
                        break;
                    }
                }
                if (!complete || in.remaining() < length) {
                    in.reset();
                    break;
                }
                int start = in.position();
                handle(header >>> 4, header & 0x0F, start, length);
                in.position(start + length);
            }
            in.compact();
            flush();
            return true;
        }

        private void handle(int type, int flags, int start, int length) {
            switch (type) {
                case CONNACK -> {
                    if ((in.get(start + 1) & 0xFF) == 0) {
                        connected = true;
                    } else {
                        refused = true;
                    }
                }
                case SUBACK -> {
                    subscribed = true;
                    refused = (in.get(start + length - 1) & 0xFF) >= 0x80;
                }
                case PUBLISH -> {
                    int qos = (flags >> 1) & 3;
                    if (qos > 0) {
                        int topicLength = in.getShort(start) & 0xFFFF;
                        int id = in.getShort(start + 2 + topicLength) & 0xFFFF;
                        ack(qos == 1 ? PUBACK : PUBREC, id);
                    }
                    delivered++;
                }
                case PUBREL -> {
                    ack(PUBCOMP, in.getShort(start) & 0xFFFF);
                    released++;
                }
                case PUBREC -> ack(PUBREL, in.getShort(start) & 0xFFFF);
                case PUBACK, PUBCOMP -> completed++;
                default -> {
                }
            }
        }

        private void varInt(int value) {
            int v = value;
            do {
                int digit = v & 0x7F;
                v >>>= 7;
                out.put((byte) (v > 0 ? digit | 0x80 : digit));
            } while (v > 0);
        }

        private void string(byte[] b) {
            out.putShort((short) b.length).put(b);
        }

        @Override
        public void close() {
            try {
                ch.close();
            } catch (IOException e) {
                // Closing a loopback socket we own: nothing to recover.
            }
        }
    }
}
