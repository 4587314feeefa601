package dev.gatehouse.broker.topic;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Shared subscriptions: each group sits in the {@link SubscriptionTree} once, under a client id no
 * client can have ({@link #GROUP_MARKER} + group), and a message matching it goes to one member,
 * chosen round-robin among those that can take it now.
 */
public final class SharedSubscriptions {
    /** Prefix of a group's key in the tree; a NUL cannot appear in a client id on the wire. */
    public static final String GROUP_MARKER = "\u0000$share/";

    private final SubscriptionTree tree;
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();

    public SharedSubscriptions(SubscriptionTree tree) {
        this.tree = tree;
    }

    /** Whether a tree match is a shared group rather than one client's subscription. */
    public static boolean isGroup(Subscription s) {
        return s.clientId().startsWith(GROUP_MARKER);
    }

    /**
     * Add or replace {@code member} (whose filter is the full {@code $share/...} string) in its group.
     * Returns the replaced member, or null.
     */
    public synchronized Subscription join(SharedFilter f, Subscription member) {
        String key = f.treeKey() + '\u0000' + f.filter();
        Group g = groups.get(key);
        if (g == null) {
            g = new Group();
            groups.put(key, g);
            tree.subscribe(new Subscription(f.treeKey(), f.filter(), 2, false, false, 2, 0, null));
        }
        return g.put(member);
    }

    /** Remove a client from a group; the group leaves the tree with its last member. */
    public synchronized Subscription leave(SharedFilter f, String clientId) {
        String key = f.treeKey() + '\u0000' + f.filter();
        Group g = groups.get(key);
        if (g == null) {
            return null;
        }
        Subscription removed = g.remove(clientId);
        if (g.isEmpty()) {
            groups.remove(key);
            tree.unsubscribe(f.treeKey(), f.filter());
        }
        return removed;
    }

    /**
     * The member that should get a message for the group {@code groupEntry} (a tree match): the next
     * in turn that {@code preferred} accepts, else the next that {@code acceptable} accepts, else null.
     */
    public Subscription pick(Subscription groupEntry, Predicate<Subscription> preferred,
                             Predicate<Subscription> acceptable) {
        Group g = groups.get(groupEntry.clientId() + '\u0000' + groupEntry.filter());
        return g == null ? null : g.pick(preferred, acceptable);
    }

    /** Number of groups (for tests and metrics). */
    public int groupCount() {
        return groups.size();
    }

    /** One group's members; the array is replaced whole so that readers need no lock. */
    private static final class Group {
        private volatile Subscription[] members = new Subscription[0];
        private final AtomicInteger next = new AtomicInteger();

        Subscription put(Subscription s) {
            Subscription[] m = members;
            for (int i = 0; i < m.length; i++) {
                if (m[i].clientId().equals(s.clientId())) {
                    Subscription old = m[i];
                    Subscription[] copy = m.clone();
                    copy[i] = s;
                    members = copy;
                    return old;
                }
            }
            Subscription[] copy = Arrays.copyOf(m, m.length + 1);
            copy[m.length] = s;
            members = copy;
            return null;
        }

        Subscription remove(String clientId) {
            Subscription[] m = members;
            for (int i = 0; i < m.length; i++) {
                if (m[i].clientId().equals(clientId)) {
                    Subscription[] copy = new Subscription[m.length - 1];
                    System.arraycopy(m, 0, copy, 0, i);
                    System.arraycopy(m, i + 1, copy, i, m.length - i - 1);
                    members = copy;
                    return m[i];
                }
            }
            return null;
        }

        boolean isEmpty() {
            return members.length == 0;
        }

        Subscription pick(Predicate<Subscription> preferred, Predicate<Subscription> acceptable) {
            Subscription[] m = members;
            int n = m.length;
            if (n == 0) {
                return null;
            }
            int start = Math.floorMod(next.getAndIncrement(), n);
            Subscription fallback = null;
            for (int k = 0; k < n; k++) {
                Subscription s = m[(start + k) % n];
                if (preferred.test(s)) {
                    return s;
                }
                if (fallback == null && acceptable.test(s)) {
                    fallback = s;
                }
            }
            return fallback;
        }
    }
}
