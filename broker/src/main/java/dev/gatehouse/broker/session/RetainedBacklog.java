package dev.gatehouse.broker.session;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.topic.Subscription;
import java.util.Iterator;

/**
 * The retained messages a new subscription still has to receive, read lazily from the retained
 * store as the subscriber's window and socket allow: a subscription to {@code #} over a large
 * store is paced, not queued whole (and not cut off at the queue bound).
 */
final class RetainedBacklog {
    private final Iterator<Message> messages;
    private final Subscription subscription;

    RetainedBacklog(Iterator<Message> messages, Subscription subscription) {
        this.messages = messages;
        this.subscription = subscription;
    }

    private Delivery head;

    /** The next delivery without taking it, or null when the backlog is done; skips what expired or is not permitted. */
    Delivery peek(long nowMillis) {
        while (head == null && messages.hasNext()) {
            Message m = messages.next();
            if (m.expired(nowMillis) || !subscription.permits(m.topic())) {
                continue;
            }
            int[] ids = subscription.subscriptionId() == 0 ? null : new int[] {subscription.subscriptionId()};
            head = new Delivery(m, Math.min(m.qos(), subscription.qos()), true, ids);
        }
        return head;
    }

    /** Takes the delivery {@link #peek} returned. */
    void poll() {
        head = null;
    }
}
