package dev.gatehouse.broker.topic;

import dev.gatehouse.authn.spi.acl.TopicFilters;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * All subscriptions of the broker, as a trie of topic-filter levels, answering "who gets a message
 * published to this topic?".
 *
 * <p>{@link #match} is the PUBLISH hot path and runs on many event-loop threads at once: it takes no
 * lock and allocates nothing. It walks the topic string in place, and every table it reads is
 * published whole (copy on resize) or changed one slot at a time with release/acquire ordering, so a
 * concurrent reader sees each subscription either before or after a change, never a torn structure.
 * Writers ({@link #subscribe}, {@link #unsubscribe}) are serialized by a lock and prune nodes that
 * become empty, so churn of unique filters does not leak memory.
 *
 * <p>Matching follows MQTT 3.1.1 / 5.0 §4.7: {@code +} matches exactly one level (possibly empty),
 * {@code #} matches its parent level and everything below, and a filter whose first level is a
 * wildcard never matches a topic starting with {@code $}. Shared subscriptions ({@code $share/...})
 * get no special treatment here; the caller strips the share prefix.
 */
public final class SubscriptionTree {
    /**
     * Nesting of '+' branches handled by plain recursion; deeper walks (a hostile filter of
     * thousands of levels) continue on a heap stack so that they cannot overflow an event loop's stack.
     */
    static final int MAX_RECURSION = 128;

    private final Object writeLock = new Object();
    private final Node root = new Node(null, "");
    private volatile int size;

    /** An empty tree. */
    public SubscriptionTree() {
    }

    /**
     * Adds or replaces the subscription keyed by (clientId, filter). Returns the replaced one, or null.
     *
     * @throws IllegalArgumentException if the filter is not a valid MQTT topic filter
     */
    public Subscription subscribe(Subscription s) {
        Objects.requireNonNull(s, "s");
        String filter = s.filter();
        if (!TopicFilters.isValidFilter(filter)) {
            throw new IllegalArgumentException("invalid topic filter: " + filter);
        }
        synchronized (writeLock) {
            Node node = locate(filter, true);
            Subscription previous = tableFor(node, filter).put(s);
            if (previous == null) {
                size++;
            }
            return previous;
        }
    }

    /** Removes (clientId, filter); returns the removed subscription or null. */
    public Subscription unsubscribe(String clientId, String filter) {
        Objects.requireNonNull(clientId, "clientId");
        if (!TopicFilters.isValidFilter(filter)) {
            return null;
        }
        synchronized (writeLock) {
            Node node = locate(filter, false);
            if (node == null) {
                return null;
            }
            Subscription removed = tableFor(node, filter).remove(clientId);
            if (removed != null) {
                size--;
                prune(node);
            }
            return removed;
        }
    }

    /**
     * Calls sink once per subscription whose filter matches the topic NAME (no wildcards in topic).
     * Lock-free and allocation-free; exceptions thrown by the sink propagate and end the walk.
     */
    public void match(String topic, Consumer<Subscription> sink) {
        Objects.requireNonNull(sink, "sink");
        boolean dollar = !topic.isEmpty() && topic.charAt(0) == '$';
        walk(root, topic, 0, dollar, sink, 0);
    }

    /** Number of subscriptions held. */
    public int size() {
        return size;
    }

    /** Nodes below the root, so tests can check that unsubscribing prunes what it no longer needs. */
    int nodeCount() {
        synchronized (writeLock) {
            int[] count = {0};
            countBelow(root, count);
            return count[0];
        }
    }

    private static void countBelow(Node start, int[] count) {
        // Explicit stack: a test may build a tree far deeper than a thread stack allows.
        ArrayDeque<Node> pending = new ArrayDeque<>();
        pending.push(start);
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            node.children.forEach(child -> {
                count[0]++;
                pending.push(child);
            });
            if (node.plus != null) {
                count[0]++;
                pending.push(node.plus);
            }
        }
    }

    // ---------------------------------------------------------------- writers (hold writeLock)

    /** The node of the filter's levels before a trailing '#' (root for "#"); creates missing ones if asked. */
    private Node locate(String filter, boolean create) {
        Node node = root;
        int len = filter.length();
        int pos = 0;
        while (true) {
            int end = filter.indexOf('/', pos);
            if (end < 0) {
                end = len;
            }
            boolean single = end - pos == 1;
            if (single && filter.charAt(pos) == '#') {
                return node;
            }
            Node child;
            if (single && filter.charAt(pos) == '+') {
                child = node.plus;
                if (child == null && create) {
                    child = new Node(node, "+");
                    node.plus = child;
                }
            } else {
                child = node.children.get(filter, pos, end);
                if (child == null && create) {
                    child = new Node(node, filter.substring(pos, end));
                    node.children.put(child);
                }
            }
            if (child == null) {
                return null;
            }
            node = child;
            if (end == len) {
                return node;
            }
            pos = end + 1;
        }
    }

    private static SubscriptionTable tableFor(Node node, String filter) {
        // A valid filter ends in '#' exactly when its last level is the multi-level wildcard.
        return filter.charAt(filter.length() - 1) == '#' ? node.multi : node.exact;
    }

    private void prune(Node node) {
        while (node != root && node.isEmpty()) {
            Node parent = node.parent;
            if (parent.plus == node) {
                parent.plus = null;
            } else {
                parent.children.remove(node.level);
            }
            node = parent;
        }
    }

    // ---------------------------------------------------------------- readers (lock-free)

    /**
     * Follows literal levels in a loop and recurses only where a '+' sibling also matches, so the
     * common case never recurses. Only the root is visited with {@code pos == 0}, which is where the
     * '$' rule applies.
     */
    private static void walk(Node node, String topic, int pos, boolean dollar, Consumer<Subscription> sink,
                             int depth) {
        int len = topic.length();
        while (true) {
            boolean wildcardsMatch = pos != 0 || !dollar;
            if (wildcardsMatch) {
                node.multi.forEach(sink);
            }
            if (pos > len) {
                node.exact.forEach(sink);
                return;
            }
            int end = topic.indexOf('/', pos);
            if (end < 0) {
                end = len;
            }
            int next = end + 1;
            Node plus = wildcardsMatch ? node.plus : null;
            Node literal = node.children.get(topic, pos, end);
            if (plus != null) {
                if (literal == null) {
                    node = plus;
                    pos = next;
                    continue;
                }
                if (depth < MAX_RECURSION) {
                    walk(plus, topic, next, dollar, sink, depth + 1);
                } else {
                    walkDeep(plus, topic, next, sink);
                }
            }
            if (literal == null) {
                return;
            }
            node = literal;
            pos = next;
        }
    }

    /** {@link #walk} with a heap stack; never starts at the root, so the '$' rule is already settled. */
    private static void walkDeep(Node start, String topic, int startPos, Consumer<Subscription> sink) {
        int len = topic.length();
        Node[] nodes = new Node[16];
        int[] positions = new int[16];
        int top = 0;
        nodes[top] = start;
        positions[top++] = startPos;
        while (top > 0) {
            top--;
            Node node = nodes[top];
            int pos = positions[top];
            nodes[top] = null;
            while (node != null) {
                node.multi.forEach(sink);
                if (pos > len) {
                    node.exact.forEach(sink);
                    break;
                }
                int end = topic.indexOf('/', pos);
                if (end < 0) {
                    end = len;
                }
                int next = end + 1;
                Node plus = node.plus;
                Node literal = node.children.get(topic, pos, end);
                if (plus != null) {
                    if (literal == null) {
                        node = plus;
                        pos = next;
                        continue;
                    }
                    if (top == nodes.length) {
                        nodes = Arrays.copyOf(nodes, top * 2);
                        positions = Arrays.copyOf(positions, top * 2);
                    }
                    nodes[top] = plus;
                    positions[top++] = next;
                }
                node = literal;
                pos = next;
            }
        }
    }

    // ---------------------------------------------------------------- structure

    private static final class Node {
        final Node parent;
        /** Level in the parent; "+" for the parent's {@link #plus} child. */
        final String level;
        final NodeTable children = new NodeTable();
        volatile Node plus;
        /** Subscriptions whose filter ends at this node. */
        final SubscriptionTable exact = new SubscriptionTable();
        /** Subscriptions whose filter is this node's path followed by "/#" ("#" at the root). */
        final SubscriptionTable multi = new SubscriptionTable();

        Node(Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }

        boolean isEmpty() {
            return plus == null && children.isEmpty() && exact.isEmpty() && multi.isEmpty();
        }
    }

    private static final class NodeTable extends KeyedTable<Node> {
        @Override
        String keyOf(Node node) {
            return node.level;
        }
    }

    private static final class SubscriptionTable extends KeyedTable<Subscription> {
        @Override
        String keyOf(Subscription s) {
            return s.clientId();
        }
    }

    /**
     * An open-addressing hash table keyed by a string inside each value, made for one writer at a
     * time and any number of lock-free readers. It exists because a {@code HashMap} lookup needs a
     * {@code String} key, which would mean a substring per topic level per PUBLISH; this one looks up
     * a region of the topic in place and iterates without an iterator.
     *
     * <p>Entries never move within an array: removal leaves a tombstone (keeping other keys' probe
     * chains intact for readers in flight) and compaction or growth builds a new array that is
     * published whole. Slots are written with release and read with acquire so a reader that finds
     * an entry also sees it fully built.
     */
    private abstract static class KeyedTable<V> {
        private static final Object[] EMPTY = new Object[1];
        private static final Object TOMBSTONE = new Object();
        private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
        /** Random per JVM so that clients cannot precompute level names or client ids that collide. */
        private static final int MULTIPLIER = ThreadLocalRandom.current().nextInt() | 1;

        private volatile Object[] slots = EMPTY;
        // Writer-only bookkeeping, guarded by the tree's write lock.
        private int live;
        private int used;

        abstract String keyOf(V value);

        final boolean isEmpty() {
            return live == 0;
        }

        /** The entry whose key equals {@code s[from, to)}, or null. */
        @SuppressWarnings("unchecked")
        final V get(String s, int from, int to) {
            Object[] t = slots;
            if (t == EMPTY) {
                return null;
            }
            int mask = t.length - 1;
            int keyLength = to - from;
            int i = hash(s, from, to) & mask;
            for (int probes = 0; probes <= mask; probes++) {
                Object o = SLOT.getAcquire(t, i);
                if (o == null) {
                    return null;
                }
                if (o != TOMBSTONE) {
                    String k = keyOf((V) o);
                    if (k.length() == keyLength && s.regionMatches(from, k, 0, keyLength)) {
                        return (V) o;
                    }
                }
                i = (i + 1) & mask;
            }
            return null;
        }

        /** Calls sink for every entry present in the array read at the start. */
        @SuppressWarnings("unchecked")
        final void forEach(Consumer<? super V> sink) {
            Object[] t = slots;
            if (t == EMPTY) {
                return;
            }
            for (int i = 0; i < t.length; i++) {
                Object o = SLOT.getAcquire(t, i);
                if (o != null && o != TOMBSTONE) {
                    sink.accept((V) o);
                }
            }
        }

        /** Adds or replaces in place (so a reader sees the old or the new value, never both); returns the replaced one. */
        @SuppressWarnings("unchecked")
        final V put(V value) {
            String key = keyOf(value);
            Object[] t = slots;
            int mask = t.length - 1;
            int i = hash(key, 0, key.length()) & mask;
            int tombstone = -1;
            if (t != EMPTY) {
                for (int probes = 0; probes <= mask; probes++) {
                    Object o = t[i];
                    if (o == null) {
                        break;
                    }
                    if (o == TOMBSTONE) {
                        if (tombstone < 0) {
                            tombstone = i;
                        }
                    } else if (keyOf((V) o).equals(key)) {
                        SLOT.setRelease(t, i, value);
                        return (V) o;
                    }
                    i = (i + 1) & mask;
                }
            }
            if (tombstone >= 0) {
                SLOT.setRelease(t, tombstone, value);
                live++;
            } else if (t == EMPTY || used + 1 > maxUsed(t.length)) {
                rebuild(capacityFor(live + 1), value);
            } else {
                SLOT.setRelease(t, i, value);
                live++;
                used++;
            }
            return null;
        }

        /** Removes the entry with this key; returns it or null. */
        @SuppressWarnings("unchecked")
        final V remove(String key) {
            Object[] t = slots;
            if (t == EMPTY) {
                return null;
            }
            int mask = t.length - 1;
            int i = hash(key, 0, key.length()) & mask;
            for (int probes = 0; probes <= mask; probes++) {
                Object o = t[i];
                if (o == null) {
                    return null;
                }
                if (o != TOMBSTONE && keyOf((V) o).equals(key)) {
                    free(t, i, mask);
                    live--;
                    if (live == 0) {
                        slots = EMPTY;
                        used = 0;
                    } else if (t.length > 8 && live < t.length / 8) {
                        rebuild(capacityFor(live), null);
                    }
                    return (V) o;
                }
                i = (i + 1) & mask;
            }
            return null;
        }

        /**
         * Frees slot i. When the next slot is empty no probe chain runs through i, so it (and the
         * tombstones just before it) can become empty again instead of accumulating as tombstones.
         */
        private void free(Object[] t, int i, int mask) {
            if (t[(i + 1) & mask] != null) {
                SLOT.setRelease(t, i, TOMBSTONE);
                return;
            }
            SLOT.setRelease(t, i, null);
            used--;
            for (int j = (i - 1) & mask; j != i && t[j] == TOMBSTONE; j = (j - 1) & mask) {
                SLOT.setRelease(t, j, null);
                used--;
            }
        }

        /** Copies the live entries (plus {@code extra}) into a fresh array and publishes it whole. */
        @SuppressWarnings("unchecked")
        private void rebuild(int capacity, V extra) {
            Object[] fresh = new Object[capacity];
            int mask = capacity - 1;
            int count = 0;
            for (Object o : slots) {
                if (o != null && o != TOMBSTONE) {
                    place(fresh, mask, (V) o);
                    count++;
                }
            }
            if (extra != null) {
                place(fresh, mask, extra);
                count++;
            }
            live = count;
            used = count;
            slots = fresh;
        }

        private void place(Object[] t, int mask, V value) {
            String key = keyOf(value);
            int i = hash(key, 0, key.length()) & mask;
            while (t[i] != null) {
                i = (i + 1) & mask;
            }
            t[i] = value;
        }

        /** Most slots (live or tombstone) allowed before growing: leaves at least one empty slot so probes end. */
        private static int maxUsed(int capacity) {
            return capacity <= 2 ? capacity - 1 : capacity - (capacity >>> 2);
        }

        private static int capacityFor(int entries) {
            int capacity = 2;
            while (maxUsed(capacity) < entries) {
                capacity <<= 1;
            }
            return capacity;
        }

        private static int hash(String s, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = (h + s.charAt(i)) * MULTIPLIER;
            }
            // murmur3 finalizer: the table index uses the low bits, which the multiply leaves weak.
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            h *= 0xc2b2ae35;
            h ^= h >>> 16;
            return h;
        }
    }
}
