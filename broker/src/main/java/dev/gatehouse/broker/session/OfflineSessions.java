package dev.gatehouse.broker.session;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Stored sessions with no connection, in the order they lost it, so that a broker at its session
 * limit can end the one idle longest. Every operation is O(1); sessions compare by identity.
 */
public final class OfflineSessions {
    private final LinkedHashSet<Session> order = new LinkedHashSet<>();

    /** {@code s} lost its connection now (it moves to the young end if it was listed). */
    public synchronized void detached(Session s) {
        order.remove(s);
        order.add(s);
    }

    /** {@code s} has a connection again, or has ended. */
    public synchronized void remove(Session s) {
        order.remove(s);
    }

    /** Takes the session detached longest ago off the list; null when every session is connected. */
    public synchronized Session pollEldest() {
        Iterator<Session> it = order.iterator();
        if (!it.hasNext()) {
            return null;
        }
        Session s = it.next();
        it.remove();
        return s;
    }

    public synchronized int size() {
        return order.size();
    }
}
