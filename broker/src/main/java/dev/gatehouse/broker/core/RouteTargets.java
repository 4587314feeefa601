package dev.gatehouse.broker.core;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.Delivery;
import dev.gatehouse.broker.topic.Subscription;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The clients one message goes to, each with its matching subscriptions merged (MQTT 5 §3.3.4: one
 * delivery per client, at the highest QoS, carrying every matching subscription identifier). Built once
 * per PUBLISH, so the usual case of a few clients is a short array scanned linearly; an index by client id
 * appears only for wide fan-out.
 */
final class RouteTargets {
    private static final int SCAN_LIMIT = 8;

    private Target[] targets = new Target[4];
    private int size;
    private Map<String, Target> index;

    void add(Subscription sub, Message m) {
        find(sub.clientId()).add(sub, m);
    }

    int size() {
        return size;
    }

    Target get(int i) {
        return targets[i];
    }

    private Target find(String clientId) {
        if (index != null) {
            return index.computeIfAbsent(clientId, this::append);
        }
        for (int i = 0; i < size; i++) {
            if (targets[i].clientId.equals(clientId)) {
                return targets[i];
            }
        }
        Target t = append(clientId);
        if (size > SCAN_LIMIT) {
            index = new HashMap<>();
            for (int i = 0; i < size; i++) {
                index.put(targets[i].clientId, targets[i]);
            }
        }
        return t;
    }

    private Target append(String clientId) {
        if (size == targets.length) {
            targets = Arrays.copyOf(targets, size * 2);
        }
        Target t = new Target(clientId);
        targets[size++] = t;
        return t;
    }

    /** The merged view of one client's subscriptions that matched one message. */
    static final class Target {
        private final String clientId;
        private int qos = -1;
        private boolean retain;
        private int[] ids;
        private int idCount;

        private Target(String clientId) {
            this.clientId = clientId;
        }

        String clientId() {
            return clientId;
        }

        void add(Subscription sub, Message m) {
            qos = Math.max(qos, Math.min(sub.qos(), m.qos()));
            retain |= sub.retainAsPublished() && m.retain();
            if (sub.subscriptionId() != 0) {
                if (ids == null) {
                    ids = new int[2];
                } else if (idCount == ids.length) {
                    ids = Arrays.copyOf(ids, idCount * 2);
                }
                ids[idCount++] = sub.subscriptionId();
            }
        }

        Delivery delivery(Message m) {
            int[] exact = ids == null ? null : Arrays.copyOf(ids, idCount);
            return new Delivery(m, qos, retain, exact);
        }
    }
}
