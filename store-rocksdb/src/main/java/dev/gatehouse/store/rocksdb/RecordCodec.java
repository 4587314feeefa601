package dev.gatehouse.store.rocksdb;

import dev.gatehouse.authn.spi.UserProperty;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import dev.gatehouse.broker.store.InflightRecord;
import dev.gatehouse.broker.store.QueuedRecord;
import dev.gatehouse.broker.store.SessionRecord;
import dev.gatehouse.broker.store.SubscriptionRecord;
import dev.gatehouse.broker.store.WillRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Record values: a version byte, then a compact binary body (layout byte by byte in docs/persistence.md).
 * Lengths and counts are unsigned LEB128 varints, longs that may be anything are ZigZag varints, strings
 * are UTF-8 with a varint length. Every version ever written stays readable: a new layout gets a new
 * version byte and a new {@code read...} branch, and the old branch stays. Encoding methods reuse one
 * {@link ValueWriter}, so a codec belongs to one thread; decoding is stateless.
 */
final class RecordCodec {
    /** The layout written today. */
    static final int VERSION = 1;

    private static final int QOS_MASK = 0x03;
    private static final int RETAIN = 0x04;
    private static final int UTF8 = 0x08;
    private static final int HAS_EXPIRY = 0x10;
    private static final int HAS_CONTENT_TYPE = 0x20;
    private static final int HAS_RESPONSE_TOPIC = 0x40;
    private static final int HAS_CORRELATION = 0x80;

    private final ValueWriter w = new ValueWriter();

    // ---- encode (writer thread)

    byte[] session(SessionRecord s) {
        w.reset().u8(VERSION);
        w.zigzag(s.expiryIntervalSeconds());
        w.zigzag(s.disconnectedAtMillis());
        w.varlong(s.subscriptions().size());
        for (SubscriptionRecord r : s.subscriptions()) {
            w.string(r.filter());
            w.u8((r.qos() & 0x03) | (r.noLocal() ? 0x04 : 0) | (r.retainAsPublished() ? 0x08 : 0)
                    | ((r.retainHandling() & 0x03) << 4));
            w.varlong(r.subscriptionId() & 0xFFFF_FFFFL);
            w.varlong(r.deniedFilters().size());
            r.deniedFilters().forEach(w::string);
        }
        if (s.pendingWill() == null) {
            w.u8(0);
        } else {
            w.u8(1);
            w.zigzag(s.pendingWill().publishAtMillis());
            message(s.pendingWill().message());
        }
        return w.toBytes();
    }

    byte[] queued(QueuedRecord q) {
        w.reset().u8(VERSION);
        w.u8((q.qos() & QOS_MASK) | (q.retain() ? RETAIN : 0));
        w.varlong(q.subscriptionIds().length);
        for (int id : q.subscriptionIds()) {
            w.varlong(id & 0xFFFF_FFFFL);
        }
        message(q.message());
        return w.toBytes();
    }

    byte[] inflight(InflightRecord f) {
        w.reset().u8(VERSION);
        w.u8(f.released() ? 1 : 0);
        w.zigzag(f.seq());
        return w.toBytes();
    }

    byte[] inboundQos2() {
        return new byte[] {VERSION};
    }

    byte[] retained(Message m) {
        w.reset().u8(VERSION);
        message(m);
        return w.toBytes();
    }

    private void message(Message m) {
        MessageProperties p = m.properties();
        boolean expires = m.expiresAt() != Message.NO_EXPIRY;
        w.u8((m.qos() & QOS_MASK) | (m.retain() ? RETAIN : 0) | (p.payloadFormatUtf8() ? UTF8 : 0)
                | (expires ? HAS_EXPIRY : 0) | (p.contentType().isPresent() ? HAS_CONTENT_TYPE : 0)
                | (p.responseTopic().isPresent() ? HAS_RESPONSE_TOPIC : 0)
                | (p.correlationData().isPresent() ? HAS_CORRELATION : 0));
        w.string(m.topic());
        w.string(m.publisher());
        if (expires) {
            w.i64(m.expiresAt());
        }
        p.contentType().ifPresent(w::string);
        p.responseTopic().ifPresent(w::string);
        p.correlationData().ifPresent(w::bytes);
        w.varlong(p.userProperties().size());
        for (UserProperty u : p.userProperties()) {
            w.string(u.name());
            w.string(u.value());
        }
        w.bytes(m.payload());
    }

    // ---- decode (any thread)

    static SessionRecord readSession(String clientId, byte[] v) {
        ValueReader r = versioned(v);
        long expiry = r.zigzag();
        long disconnectedAt = r.zigzag();
        int n = r.varint();
        List<SubscriptionRecord> subs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String filter = r.string();
            int o = r.u8();
            int id = (int) r.varlong();
            int d = r.varint();
            List<String> denied = new ArrayList<>(d);
            for (int j = 0; j < d; j++) {
                denied.add(r.string());
            }
            subs.add(new SubscriptionRecord(filter, o & 0x03, (o & 0x04) != 0, (o & 0x08) != 0, (o >> 4) & 0x03, id,
                    denied));
        }
        WillRecord will = null;
        if (r.u8() == 1) {
            long at = r.zigzag();
            will = new WillRecord(readMessage(r), at);
        }
        r.end();
        return new SessionRecord(clientId, expiry, disconnectedAt, subs, will);
    }

    static QueuedRecord readQueued(long seq, byte[] v) {
        ValueReader r = versioned(v);
        int flags = r.u8();
        int n = r.varint();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (int) r.varlong();
        }
        Message m = readMessage(r);
        r.end();
        return new QueuedRecord(seq, m, flags & QOS_MASK, (flags & RETAIN) != 0, ids);
    }

    static InflightRecord readInflight(int packetId, byte[] v) {
        ValueReader r = versioned(v);
        boolean released = (r.u8() & 1) != 0;
        long seq = r.zigzag();
        r.end();
        return new InflightRecord(packetId, seq, released);
    }

    static void readInboundQos2(byte[] v) {
        versioned(v).end();
    }

    static Message readRetained(byte[] v) {
        ValueReader r = versioned(v);
        Message m = readMessage(r);
        r.end();
        return m;
    }

    private static ValueReader versioned(byte[] v) {
        ValueReader r = new ValueReader(v);
        int version = r.u8();
        if (version != VERSION) {
            // The only layout so far; older ones would be decoded by their own branch here.
            throw new IllegalStateException("record layout version " + version + " is unknown to this broker"
                    + " (it reads version " + VERSION + ")");
        }
        return r;
    }

    private static Message readMessage(ValueReader r) {
        int f = r.u8();
        String topic = r.string();
        String publisher = r.string();
        long expiresAt = (f & HAS_EXPIRY) != 0 ? r.i64() : Message.NO_EXPIRY;
        Optional<String> contentType = (f & HAS_CONTENT_TYPE) != 0 ? Optional.of(r.string()) : Optional.empty();
        Optional<String> responseTopic = (f & HAS_RESPONSE_TOPIC) != 0 ? Optional.of(r.string()) : Optional.empty();
        Optional<byte[]> correlation = (f & HAS_CORRELATION) != 0 ? Optional.of(r.bytes()) : Optional.empty();
        int n = r.varint();
        List<UserProperty> props = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            props.add(new UserProperty(r.string(), r.string()));
        }
        byte[] payload = r.bytes();
        MessageProperties p = (f & UTF8) == 0 && contentType.isEmpty() && responseTopic.isEmpty()
                && correlation.isEmpty() && props.isEmpty() ? MessageProperties.NONE
                : new MessageProperties((f & UTF8) != 0, contentType, responseTopic, correlation, props);
        return new Message(topic, payload, f & QOS_MASK, (f & RETAIN) != 0, p, expiresAt, publisher);
    }
}
