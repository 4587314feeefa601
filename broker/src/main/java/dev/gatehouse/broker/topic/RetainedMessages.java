package dev.gatehouse.broker.topic;

import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.message.Message;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The retained message of each topic, as a trie of topic levels so that a new subscription's filter
 * visits only the branches it can match instead of scanning every retained topic.
 *
 * <p>Readers ({@link #match}, {@link #get}) take no lock; writers are serialized by a lock, which
 * keeps the bound exact and lets emptied nodes be pruned without racing a put that would reuse them.
 * A message whose expiry has passed is never handed out; it is removed when a reader comes across it,
 * and, when the store is full, by a sweep at most once per {@value #SWEEP_INTERVAL_MILLIS} ms of clock
 * time so that expired messages cannot keep fresh ones out.
 */
public final class RetainedMessages {
    /** Least clock time between two full sweeps for expired messages triggered by a full store. */
    static final long SWEEP_INTERVAL_MILLIS = 1_000;

    private final int maxMessages;
    private final Clock clock;
    private final Object writeLock = new Object();
    private final Node root = new Node(null, "");
    private volatile int size;
    private volatile long refused;
    private long nextSweepAt = Long.MIN_VALUE;

    /** maxMessages bounds the store; a put of a NEW topic beyond it is refused (returns false) and counted. */
    public RetainedMessages(int maxMessages, Clock clock) {
        if (maxMessages < 0) {
            throw new IllegalArgumentException("maxMessages must not be negative: " + maxMessages);
        }
        this.maxMessages = maxMessages;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Stores m as the retained message of m.topic(); an empty payload clears the topic. Returns false
     * when refused by the bound. Replacing or clearing an existing topic is never refused; a message
     * that has already expired clears the topic, as it would have replaced the old one and then expired.
     *
     * @throws IllegalArgumentException if the topic is not a valid topic name
     */
    public boolean put(Message m) {
        String topic = m.topic();
        if (!TopicFilters.isValidTopicName(topic)) {
            throw new IllegalArgumentException("invalid topic name: " + topic);
        }
        long now = clock.millis();
        synchronized (writeLock) {
            Node node = find(topic);
            if (m.payload().length == 0 || m.expired(now)) {
                if (node != null && node.message != null) {
                    clear(node);
                }
                return true;
            }
            if (node == null || node.message == null) {
                if (size >= maxMessages && !(sweepIfDue(now) && size < maxMessages)) {
                    refused++;
                    return false;
                }
                // Looked up again: a sweep may have pruned the path found above.
                node = create(topic);
                size++;
            }
            node.message = m;
            return true;
        }
    }

    /**
     * Calls sink for each retained, unexpired message whose topic matches the filter (may contain + and #).
     * Expired ones are removed lazily.
     *
     * @throws IllegalArgumentException if the filter is not a valid topic filter
     */
    public void match(String filter, Consumer<Message> sink) {
        Objects.requireNonNull(sink, "sink");
        if (!TopicFilters.isValidFilter(filter)) {
            throw new IllegalArgumentException("invalid topic filter: " + filter);
        }
        String[] levels = TopicFilters.split(filter);
        long now = clock.millis();
        List<Object> expired = new ArrayList<>(0);
        try {
            // Explicit stacks rather than recursion: topics may be thousands of levels deep.
            ArrayDeque<Node> nodes = new ArrayDeque<>();
            ArrayDeque<Integer> depths = new ArrayDeque<>();
            nodes.push(root);
            depths.push(0);
            while (!nodes.isEmpty()) {
                Node node = nodes.pop();
                int depth = depths.pop();
                if (depth == levels.length) {
                    deliver(node, now, sink, expired);
                    continue;
                }
                String level = levels[depth];
                boolean firstLevel = depth == 0;
                if (level.equals("#")) {
                    deliverSubtree(node, firstLevel, now, sink, expired);
                } else if (level.equals("+")) {
                    for (Node child : node.children.values()) {
                        if (!(firstLevel && child.level.startsWith("$"))) {
                            nodes.push(child);
                            depths.push(depth + 1);
                        }
                    }
                } else {
                    Node child = node.children.get(level);
                    if (child != null) {
                        nodes.push(child);
                        depths.push(depth + 1);
                    }
                }
            }
        } finally {
            removeExpired(expired);
        }
    }

    /**
     * The retained messages whose topic matches {@code filter}, read lazily as the iterator advances:
     * no lock is held and nothing is copied, so a subscriber can be fed a large store at its own pace.
     * Weakly consistent, like the store's other readers: a topic retained or cleared meanwhile may or may
     * not be seen. Memory is proportional to the depth of the topic tree, not to the number of matches.
     * Expired messages are left out (the caller checks again when it finally sends).
     *
     * @throws IllegalArgumentException if the filter is not a valid topic filter
     */
    public Iterator<Message> cursor(String filter) {
        if (!TopicFilters.isValidFilter(filter)) {
            throw new IllegalArgumentException("invalid topic filter: " + filter);
        }
        return new Cursor(TopicFilters.split(filter), clock.millis());
    }

    /** The retained, unexpired message of this topic, if any. */
    public Optional<Message> get(String topic) {
        Node node = find(topic);
        Message m = node == null ? null : node.message;
        if (m == null) {
            return Optional.empty();
        }
        if (m.expired(clock.millis())) {
            removeExpired(List.of(node, m));
            return Optional.empty();
        }
        return Optional.of(m);
    }

    /** The store's clock reading, for callers that must agree with it on expiry. */
    public long now() {
        return clock.millis();
    }

    /** Number of topics with a retained message, counting expired ones not yet removed. */
    public int size() {
        return size;
    }

    /** How many puts the bound refused since start. */
    public long refusedCount() {
        return refused;
    }

    /** Nodes below the root, so tests can check that clearing prunes what it no longer needs. */
    int nodeCount() {
        synchronized (writeLock) {
            int count = 0;
            ArrayDeque<Node> pending = new ArrayDeque<>();
            pending.push(root);
            while (!pending.isEmpty()) {
                for (Node child : pending.pop().children.values()) {
                    count++;
                    pending.push(child);
                }
            }
            return count;
        }
    }

    // ---------------------------------------------------------------- readers

    private static void deliver(Node node, long now, Consumer<Message> sink, List<Object> expired) {
        Message m = node.message;
        if (m == null) {
            return;
        }
        if (m.expired(now)) {
            expired.add(node);
            expired.add(m);
        } else {
            sink.accept(m);
        }
    }

    /** '#' matches the node itself and everything below; at the first level not '$' topics. */
    private static void deliverSubtree(Node top, boolean firstLevel, long now, Consumer<Message> sink,
                                       List<Object> expired) {
        ArrayDeque<Node> pending = new ArrayDeque<>();
        deliver(top, now, sink, expired);
        for (Node child : top.children.values()) {
            if (!(firstLevel && child.level.startsWith("$"))) {
                pending.push(child);
            }
        }
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            deliver(node, now, sink, expired);
            for (Node child : node.children.values()) {
                pending.push(child);
            }
        }
    }

    private Node find(String topic) {
        Node node = root;
        int pos = 0;
        while (node != null) {
            int end = topic.indexOf('/', pos);
            if (end < 0) {
                return node.children.get(topic.substring(pos));
            }
            node = node.children.get(topic.substring(pos, end));
            pos = end + 1;
        }
        return null;
    }

    // ---------------------------------------------------------------- writers (hold writeLock)

    private Node create(String topic) {
        Node node = root;
        int pos = 0;
        while (true) {
            int end = topic.indexOf('/', pos);
            String level = end < 0 ? topic.substring(pos) : topic.substring(pos, end);
            Node child = node.children.get(level);
            if (child == null) {
                child = new Node(node, level);
                node.children.put(level, child);
            }
            node = child;
            if (end < 0) {
                return node;
            }
            pos = end + 1;
        }
    }

    private void clear(Node node) {
        node.message = null;
        size--;
        while (node != root && node.message == null && node.children.isEmpty()) {
            node.parent.children.remove(node.level, node);
            node = node.parent;
        }
    }

    /** Takes (node, message) pairs; clears only those still holding the expired message seen by the reader. */
    private void removeExpired(List<Object> pairs) {
        if (pairs.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            for (int i = 0; i < pairs.size(); i += 2) {
                Node node = (Node) pairs.get(i);
                if (node.message == pairs.get(i + 1)) {
                    clear(node);
                }
            }
        }
    }

    /** Removes every expired message if a sweep is due; returns whether it swept. */
    private boolean sweepIfDue(long now) {
        if (now < nextSweepAt) {
            return false;
        }
        nextSweepAt = now + SWEEP_INTERVAL_MILLIS;
        List<Node> expired = new ArrayList<>();
        ArrayDeque<Node> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            Message m = node.message;
            if (m != null && m.expired(now)) {
                expired.add(node);
            }
            pending.addAll(node.children.values());
        }
        // Cleared after the walk: pruning while iterating would detach nodes still on the stack.
        for (Node node : expired) {
            if (node.message != null) {
                clear(node);
            }
        }
        return true;
    }

    /**
     * A depth-first walk with one frame per level: a frame either offers its node's message or walks
     * the children a filter level selects ({@code +}: all, {@code #}: the whole subtree, a name: one).
     */
    private final class Cursor implements Iterator<Message> {
        private final String[] levels;
        private final long now;
        private final ArrayDeque<Frame> stack = new ArrayDeque<>();
        private Message next;

        Cursor(String[] levels, long now) {
            this.levels = levels;
            this.now = now;
            stack.push(new Frame(root, 0, false));
        }

        @Override
        public boolean hasNext() {
            while (next == null && !stack.isEmpty()) {
                Frame f = stack.peek();
                if (!f.visited) {
                    f.visited = true;
                    f.children = expand(f);
                    Message m = f.offersSelf ? f.node.message : null;
                    if (m != null && !m.expired(now)) {
                        next = m;
                    }
                    continue;
                }
                if (f.children != null && f.children.hasNext()) {
                    Node child = f.children.next();
                    if (f.depth == 0 && f.skipDollar && child.level.startsWith("$")) {
                        continue;
                    }
                    stack.push(new Frame(child, f.depth + 1, f.subtree));
                } else {
                    stack.pop();
                }
            }
            return next != null;
        }

        @Override
        public Message next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            Message m = next;
            next = null;
            return m;
        }

        /** Decides what a frame offers and which children it walks. */
        private Iterator<Node> expand(Frame f) {
            if (f.subtree) {
                f.offersSelf = true;
                return f.node.children.values().iterator();
            }
            if (f.depth == levels.length) {
                f.offersSelf = true;
                return null;
            }
            String level = levels[f.depth];
            if (level.equals("#")) {
                // "a/#" also matches "a" itself; at the first level it never matches "$" topics
                f.offersSelf = true;
                f.subtree = true;
                f.skipDollar = true;
                return f.node.children.values().iterator();
            }
            if (level.equals("+")) {
                f.skipDollar = true;
                return f.node.children.values().iterator();
            }
            Node child = f.node.children.get(level);
            return child == null ? null : java.util.List.of(child).iterator();
        }
    }

    private static final class Frame {
        final Node node;
        final int depth;
        boolean subtree;
        boolean visited;
        boolean offersSelf;
        boolean skipDollar;
        Iterator<Node> children;

        Frame(Node node, int depth, boolean subtree) {
            this.node = node;
            this.depth = depth;
            this.subtree = subtree;
        }
    }

    private static final class Node {
        final Node parent;
        final String level;
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(2);
        volatile Message message;

        Node(Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }
    }
}
