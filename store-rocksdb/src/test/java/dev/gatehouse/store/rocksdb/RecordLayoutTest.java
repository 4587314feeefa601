package dev.gatehouse.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.store.QueuedRecord;
import dev.gatehouse.broker.store.SessionRecord;
import dev.gatehouse.broker.store.StoredSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * The record layout as documented in docs/persistence.md. Version 1 records are written here by hand,
 * byte by byte from the document and independently of {@link RecordCodec}, and must load: a later layout
 * version keeps reading them. A version this broker does not know, or a corrupted value, is refused with
 * the directory and the record named.
 */
class RecordLayoutTest {
    @TempDir
    Path tmp;

    /** A v1 encoder kept apart from the production codec: what a store written today holds. */
    private static final class V1 {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        V1 u8(int v) {
            out.write(v);
            return this;
        }

        V1 varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        V1 str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private Path storeWithRawRecords(byte[]... keysAndValues) throws Exception {
        Path dir = tmp.resolve("data");
        RocksDbStateStore.open(StoreOptions.of(dir)).close();
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
            for (int i = 0; i < keysAndValues.length; i += 2) {
                db.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return dir;
    }

    private static byte[] sessionV1() {
        // version, expiry 60 (zigzag 120), disconnected-at 0, no subscriptions, no will
        return new V1().u8(1).varint(120).varint(0).varint(0).u8(0).bytes();
    }

    @Test
    void version1RecordsWrittenByHandLoad() throws Exception {
        byte[] queued = new V1().u8(1)
                .u8(0x02 | 0x04)                  // qos 2, retain
                .varint(1).varint(42)             // one subscription id: 42
                .u8(0x01 | 0x08 | 0x10 | 0x20)    // message: qos 1, UTF-8, expiry, content type
                .str("a/b").str("pub")
                .u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0x03).u8(0xE8) // expires at 1000, i64 big-endian
                .str("text/plain")
                .varint(0)                        // no user properties
                .str("hi")                        // payload
                .bytes();
        byte[] inflight = new V1().u8(1).u8(1).varint(14).bytes(); // released, seq 7 (zigzag 14)
        Path dir = storeWithRawRecords(Keys.session("c"), sessionV1(), Keys.queued("c", 7), queued,
                Keys.inflight("c", 3), inflight, Keys.inboundQos2("c", 9), new byte[] {1});
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(dir))) {
            StoredSession c = s.load().sessions().get(0);
            assertThat(c.session().expiryIntervalSeconds()).isEqualTo(60);
            QueuedRecord q = c.queued().get(0);
            assertThat(q.seq()).isEqualTo(7);
            assertThat(q.qos()).isEqualTo(2);
            assertThat(q.retain()).isTrue();
            assertThat(q.subscriptionIds()).containsExactly(42);
            Message m = q.message();
            assertThat(m.topic()).isEqualTo("a/b");
            assertThat(m.publisher()).isEqualTo("pub");
            assertThat(m.qos()).isEqualTo(1);
            assertThat(m.expiresAt()).isEqualTo(1000);
            assertThat(m.properties().payloadFormatUtf8()).isTrue();
            assertThat(m.properties().contentType()).contains("text/plain");
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("hi");
            assertThat(c.inflight()).singleElement().satisfies(f -> {
                assertThat(f.packetId()).isEqualTo(3);
                assertThat(f.seq()).isEqualTo(7);
                assertThat(f.released()).isTrue();
            });
            assertThat(c.inboundQos2()).containsExactly(9);
        }
    }

    @Test
    void theCodecWritesTheDocumentedBytes() {
        RecordCodec codec = new RecordCodec();
        assertThat(codec.session(new SessionRecord("c", 60, 0, List.of(), null))).isEqualTo(sessionV1());
        assertThat(Keys.queued("c", 1)).containsExactly(0x02, 0, 1, 'c', 0x80, 0, 0, 0, 0, 0, 0, 1);
        assertThat(Keys.inflight("ab", 258)).containsExactly(0x03, 0, 2, 'a', 'b', 1, 2);
        assertThat(Keys.retained("t/1")).containsExactly(0x05, 't', '/', '1');
    }

    @Test
    void anUnknownRecordVersionIsRefusedWithTheRecordNamed() throws Exception {
        byte[] v99 = sessionV1().clone();
        v99[0] = 99;
        Path dir = storeWithRawRecords(Keys.session("future"), v99);
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(dir))) {
            assertThatThrownBy(s::load).isInstanceOf(StoreException.class).hasMessageContaining(dir.toString())
                    .hasMessageContaining("session future").hasMessageContaining("version 99");
        }
    }

    @Test
    void aTruncatedValueIsRefused() throws Exception {
        byte[] ok = new RecordCodec().retained(Message.of("r", "payload".getBytes(StandardCharsets.UTF_8), 1, true));
        byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 3);
        Path dir = storeWithRawRecords(Keys.retained("r"), cut);
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(dir))) {
            assertThatThrownBy(s::load).isInstanceOf(StoreException.class).hasMessageContaining("retained r")
                    .hasMessageContaining("truncated");
        }
    }
}
