package dev.gatehouse.broker.core;

import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.BrokerEventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands events to listeners; a throwing listener is logged and never disturbs the broker. */
public final class EventBus {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    private final List<BrokerEventListener> listeners = new CopyOnWriteArrayList<>();

    public void add(BrokerEventListener l) {
        listeners.add(l);
    }

    public void remove(BrokerEventListener l) {
        listeners.remove(l);
    }

    public void fire(BrokerEvent e) {
        for (BrokerEventListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException ex) {
                log.warn("event listener {} threw on {}", l, e.getClass().getSimpleName(), ex);
            }
        }
    }
}
