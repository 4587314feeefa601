package dev.gatehouse.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.UserProperty;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateStore} must do, as "restart over the same store": write, close, reopen, load,
 * assert. Each store's test extends this; for {@link MemoryStateStore} a reopen is another {@code load()}
 * of the same instance.
 */
public abstract class StateStoreContract {
    protected StateStore store;

    /** A new, empty store. */
    protected abstract StateStore openNew() throws Exception;

    /** Close {@code s} and open it again over the same data (or return it, for a store that lives on the heap). */
    protected abstract StateStore reopen(StateStore s) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = openNew();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected void commit(Changes c) throws Exception {
        store.commit(c).get(10, TimeUnit.SECONDS);
    }

    /** Restart, then load. */
    protected StoredState restart() throws Exception {
        store = reopen(store);
        return store.load();
    }

    protected static Message richMessage(String topic) {
        MessageProperties p = new MessageProperties(true, Optional.of("text/plain; charset=utf-8"),
                Optional.of("replies/" + topic), Optional.of(new byte[] {0, 1, 2, (byte) 0xFF}),
                List.of(new UserProperty("k", "v1"), new UserProperty("k", "v2"), new UserProperty("é", "")));
        return new Message(topic, "payload ✓".getBytes(StandardCharsets.UTF_8), 2, true, p, 1_900_000_000_123L,
                "publisher/1");
    }

    protected static Message plain(String topic, String payload) {
        return Message.of(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    protected static SessionRecord session(String id) {
        return new SessionRecord(id, 3600, 0, List.of(), null);
    }

    protected static void assertSameMessage(Message actual, Message expected) {
        assertThat(actual.topic()).isEqualTo(expected.topic());
        assertThat(actual.payload()).isEqualTo(expected.payload());
        assertThat(actual.qos()).isEqualTo(expected.qos());
        assertThat(actual.retain()).isEqualTo(expected.retain());
        assertThat(actual.expiresAt()).isEqualTo(expected.expiresAt());
        assertThat(actual.publisher()).isEqualTo(expected.publisher());
        MessageProperties a = actual.properties();
        MessageProperties e = expected.properties();
        assertThat(a.payloadFormatUtf8()).isEqualTo(e.payloadFormatUtf8());
        assertThat(a.contentType()).isEqualTo(e.contentType());
        assertThat(a.responseTopic()).isEqualTo(e.responseTopic());
        assertThat(a.correlationData().map(b -> (Object) List.of(toBoxed(b))))
                .isEqualTo(e.correlationData().map(b -> (Object) List.of(toBoxed(b))));
        assertThat(a.userProperties()).isEqualTo(e.userProperties());
    }

    private static Byte[] toBoxed(byte[] b) {
        Byte[] out = new Byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i];
        }
        return out;
    }

    protected static Map<String, StoredSession> byId(StoredState s) {
        return s.sessions().stream().collect(Collectors.toMap(x -> x.session().clientId(), Function.identity()));
    }

    @Test
    void aNewStoreIsEmpty() throws Exception {
        StoredState s = restart();
        assertThat(s.sessions()).isEmpty();
        assertThat(s.retained()).isEmpty();
    }

    @Test
    void sessionRecordRoundTrip() throws Exception {
        SessionRecord full = new SessionRecord("dev-1", 0xFFFF_FFFFL, 1_700_000_000_000L, List.of(
                new SubscriptionRecord("a/+/c", 2, true, true, 2, 268_435_455, List.of("a/secret/#", "a/x/c")),
                new SubscriptionRecord("$share/g/b/#", 0, false, false, 0, 0, List.of())),
                new WillRecord(richMessage("wills/dev-1"), 1_700_000_060_000L));
        commit(new Changes().putSession(full).putSession(session("dev-2")));
        Map<String, StoredSession> s = byId(restart());
        assertThat(s).containsOnlyKeys("dev-1", "dev-2");
        SessionRecord r = s.get("dev-1").session();
        assertThat(r.clientId()).isEqualTo("dev-1");
        assertThat(r.expiryIntervalSeconds()).isEqualTo(0xFFFF_FFFFL);
        assertThat(r.disconnectedAtMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(r.subscriptions()).isEqualTo(full.subscriptions());
        assertThat(r.pendingWill().publishAtMillis()).isEqualTo(1_700_000_060_000L);
        assertSameMessage(r.pendingWill().message(), full.pendingWill().message());
        assertThat(s.get("dev-2").session().pendingWill()).isNull();
    }

    @Test
    void putSessionReplacesTheRecord() throws Exception {
        commit(new Changes().putSession(session("c")));
        commit(new Changes().putSession(new SessionRecord("c", 10, 5, List.of(), null)));
        SessionRecord r = byId(restart()).get("c").session();
        assertThat(r.expiryIntervalSeconds()).isEqualTo(10);
        assertThat(r.disconnectedAtMillis()).isEqualTo(5);
    }

    @Test
    void clientIdsMayHoldAnyCharacter() throws Exception {
        List<String> ids = List.of("", "a", "ab", "a\u0000b", "ü/#+ \uD83D\uDE00", "x".repeat(300));
        Changes c = new Changes();
        for (String id : ids) {
            c.putSession(session(id)).enqueue(id, new QueuedRecord(1, plain("t", id), 1, false, null));
        }
        commit(c);
        Map<String, StoredSession> s = byId(restart());
        assertThat(s).containsOnlyKeys(ids.toArray(new String[0]));
        for (String id : ids) {
            assertThat(s.get(id).queued()).hasSize(1);
            assertThat(new String(s.get(id).queued().get(0).message().payload(), StandardCharsets.UTF_8)).isEqualTo(id);
        }
    }

    @Test
    void theQueueComesBackInSequenceOrder() throws Exception {
        long[] seqs = {3, 1, 256, 2, 300, 65_536, 255, 1L << 40};
        commit(new Changes().putSession(session("q")));
        for (long seq : seqs) {
            commit(new Changes().enqueue("q", new QueuedRecord(seq, plain("t/" + seq, "m" + seq), 1, false, null)));
        }
        List<QueuedRecord> q = byId(restart()).get("q").queued();
        assertThat(q).extracting(QueuedRecord::seq).containsExactly(1L, 2L, 3L, 255L, 256L, 300L, 65_536L, 1L << 40);
        assertThat(q).extracting(r -> r.message().topic()).startsWith("t/1", "t/2", "t/3");
    }

    @Test
    void queuedRecordRoundTrip() throws Exception {
        Message m = richMessage("q/rich");
        commit(new Changes().putSession(session("q"))
                .enqueue("q", new QueuedRecord(7, m, 1, true, new int[] {1, 268_435_455}))
                .enqueue("q", new QueuedRecord(8, plain("q/plain", "x"), 2, false, null)));
        List<QueuedRecord> q = byId(restart()).get("q").queued();
        assertThat(q).hasSize(2);
        assertThat(q.get(0).qos()).isEqualTo(1);
        assertThat(q.get(0).retain()).isTrue();
        assertThat(q.get(0).subscriptionIds()).containsExactly(1, 268_435_455);
        assertSameMessage(q.get(0).message(), m);
        assertThat(q.get(1).qos()).isEqualTo(2);
        assertThat(q.get(1).retain()).isFalse();
        assertThat(q.get(1).subscriptionIds()).isEmpty();
        assertSameMessage(q.get(1).message(), plain("q/plain", "x"));
        assertThat(q.get(1).message().properties().isEmpty()).isTrue();
    }

    @Test
    void dequeueRemovesTheMessageAndItsInflightRecord() throws Exception {
        Changes c = new Changes().putSession(session("s"));
        for (long seq = 1; seq <= 4; seq++) {
            c.enqueue("s", new QueuedRecord(seq, plain("t", "m" + seq), 2, false, null));
        }
        c.putInflight("s", new InflightRecord(10, 1, false)).putInflight("s", new InflightRecord(11, 2, true))
                .putInflight("s", new InflightRecord(12, 3, false));
        commit(c);
        // One dequeue in a later commit, one in the same commit as its in-flight record, one of a queued-only seq.
        commit(new Changes().dequeue("s", 1));
        commit(new Changes().enqueue("s", new QueuedRecord(5, plain("t", "m5"), 2, false, null))
                .putInflight("s", new InflightRecord(13, 5, false)).dequeue("s", 5).dequeue("s", 4));
        StoredSession s = byId(restart()).get("s");
        assertThat(s.queued()).extracting(QueuedRecord::seq).containsExactly(2L, 3L);
        assertThat(s.inflight()).containsExactlyInAnyOrder(new InflightRecord(11, 2, true),
                new InflightRecord(12, 3, false));
        // and after the restart too
        commit(new Changes().dequeue("s", 2));
        s = byId(restart()).get("s");
        assertThat(s.queued()).extracting(QueuedRecord::seq).containsExactly(3L);
        assertThat(s.inflight()).containsExactly(new InflightRecord(12, 3, false));
    }

    @Test
    void putInflightReplacesThePacketIdsRecord() throws Exception {
        commit(new Changes().putSession(session("s"))
                .enqueue("s", new QueuedRecord(1, plain("t", "a"), 2, false, null))
                .enqueue("s", new QueuedRecord(2, plain("t", "b"), 2, false, null))
                .putInflight("s", new InflightRecord(9, 1, false)));
        commit(new Changes().putInflight("s", new InflightRecord(9, 1, true)));
        assertThat(byId(restart()).get("s").inflight()).containsExactly(new InflightRecord(9, 1, true));
        // the packet id is reused for another message: dequeuing the first must not remove it
        commit(new Changes().dequeue("s", 1).putInflight("s", new InflightRecord(9, 2, false)));
        commit(new Changes().dequeue("s", 1));
        assertThat(byId(restart()).get("s").inflight()).containsExactly(new InflightRecord(9, 2, false));
    }

    @Test
    void inboundQos2IdsAreAddedAndRemoved() throws Exception {
        commit(new Changes().putSession(session("p")).addInboundQos2("p", 1).addInboundQos2("p", 65_535)
                .addInboundQos2("p", 300));
        commit(new Changes().removeInboundQos2("p", 300));
        assertThat(byId(restart()).get("p").inboundQos2()).containsExactlyInAnyOrder(1, 65_535);
    }

    @Test
    void deleteSessionRemovesEverythingOfThatClientOnly() throws Exception {
        for (String id : List.of("a", "ab", "b")) {
            commit(new Changes().putSession(session(id))
                    .enqueue(id, new QueuedRecord(1, plain("t", id), 2, false, null))
                    .enqueue(id, new QueuedRecord(2, plain("t", id), 1, false, null))
                    .putInflight(id, new InflightRecord(1, 1, false))
                    .addInboundQos2(id, 5));
        }
        commit(new Changes().deleteSession("a"));
        Map<String, StoredSession> s = byId(restart());
        assertThat(s).containsOnlyKeys("ab", "b");
        for (String id : List.of("ab", "b")) {
            assertThat(s.get(id).queued()).hasSize(2);
            assertThat(s.get(id).inflight()).hasSize(1);
            assertThat(s.get(id).inboundQos2()).containsExactly(5);
        }
        // a new session under the deleted id starts empty
        commit(new Changes().putSession(session("a")));
        StoredSession a = byId(restart()).get("a");
        assertThat(a.queued()).isEmpty();
        assertThat(a.inflight()).isEmpty();
        assertThat(a.inboundQos2()).isEmpty();
    }

    @Test
    void deleteAndRecreateInOneCommit() throws Exception {
        commit(new Changes().putSession(session("c")).enqueue("c", new QueuedRecord(1, plain("t", "old"), 1, false, null)));
        commit(new Changes().deleteSession("c").putSession(session("c"))
                .enqueue("c", new QueuedRecord(1, plain("t", "new"), 1, false, null)));
        List<QueuedRecord> q = byId(restart()).get("c").queued();
        assertThat(q).hasSize(1);
        assertThat(new String(q.get(0).message().payload(), StandardCharsets.UTF_8)).isEqualTo("new");
    }

    @Test
    void retainedMessagesArePutReplacedAndRemoved() throws Exception {
        Message rich = richMessage("r/1");
        commit(new Changes().putRetained(rich).putRetained(plain("r/2", "two")).putRetained(plain("r/3", "three")));
        commit(new Changes().putRetained(plain("r/2", "two again")).removeRetained("r/3").removeRetained("r/none"));
        Map<String, Message> r = restart().retained().stream()
                .collect(Collectors.toMap(Message::topic, Function.identity()));
        assertThat(r).containsOnlyKeys("r/1", "r/2");
        assertSameMessage(r.get("r/1"), rich);
        assertThat(new String(r.get("r/2").payload(), StandardCharsets.UTF_8)).isEqualTo("two again");
    }

    @Test
    void severalRestartsKeepEverything() throws Exception {
        commit(new Changes().putSession(session("k")).putRetained(plain("k/r", "r")));
        restart();
        commit(new Changes().enqueue("k", new QueuedRecord(1, plain("t", "1"), 1, false, null)));
        restart();
        StoredState s = restart();
        assertThat(byId(s).get("k").queued()).hasSize(1);
        assertThat(s.retained()).hasSize(1);
    }
}
