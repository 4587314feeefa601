package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.acl.SubscribeResult;
import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.core.BrokerCore;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.topic.SharedFilter;
import dev.gatehouse.broker.topic.Subscription;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE for one connection: validation, permission checks, quotas, and the
 * per-filter reason codes; and the re-check of every subscription when permissions change.
 */
final class SubscriptionRequests {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    /** A SUBSCRIBE that breaks the protocol: the connection must be closed. */
    static final class Violation extends Exception {
        Violation(String why) {
            super(why, null, false, false);
        }
    }

    private final BrokerCore core;
    private final Limits limits;
    private final TopicLimits topicLimits;

    SubscriptionRequests(BrokerCore core, TopicLimits topicLimits) {
        this.core = core;
        this.limits = core.limits();
        this.topicLimits = topicLimits;
    }

    /**
     * Subscribe {@code session} to every filter it may have, queue retained messages for them, and
     * return the SUBACK codes in request order.
     */
    int[] subscribe(Session session, PermissionGuard guard, boolean v5, MqttSubscribeMessage m)
            throws Violation {
        MqttProperties props = m.idAndPropertiesVariableHeader().properties();
        List<MqttTopicSubscription> wanted = m.payload().topicSubscriptions();
        if (wanted.isEmpty()) {
            throw new Violation("SUBSCRIBE without topic filters");
        }
        Optional<Integer> idProperty = v5 ? Props.integer(props, MqttPropertyType.SUBSCRIPTION_IDENTIFIER)
                : Optional.empty();
        if (idProperty.isPresent() && idProperty.get() == 0) {
            throw new Violation("Subscription Identifier 0");
        }
        int subscriptionId = idProperty.orElse(0);
        String clientId = session.clientId();
        int failure = v5 ? 0 : ReasonCodes.V3_SUBACK_FAILURE;
        int[] codes = new int[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            MqttTopicSubscription t = wanted.get(i);
            String filter = t.topicFilter();
            int qos = t.qualityOfService().value();
            boolean isShared = SharedFilter.isShared(filter);
            Optional<SharedFilter> shared = SharedFilter.parse(filter);
            if ((isShared ? shared.isEmpty() : !TopicFilters.isValidFilter(filter)) || !topicLimits.allows(filter)) {
                log.info("client {} sent an invalid topic filter", clientId);
                codes[i] = v5 ? ReasonCodes.TOPIC_FILTER_INVALID : failure;
                continue;
            }
            MqttSubscriptionOption opt = t.option();
            if (isShared && v5 && opt.isNoLocal()) {
                throw new Violation("No Local on a shared subscription");
            }
            // A shared subscription is authorized like a plain one to the filter it matches topics with.
            SubscribeResult r = guard.checkSubscribe(filter, shared.map(SharedFilter::filter).orElse(filter), qos);
            if (!r.allowed()) {
                codes[i] = v5 ? ReasonCodes.NOT_AUTHORIZED : failure;
                continue;
            }
            if (session.subscriptionCount() >= limits.maxSubscriptionsPerSession() && !session.hasSubscription(filter)) {
                log.info("client {} reached {} subscriptions; refusing {}", clientId,
                        limits.maxSubscriptionsPerSession(), filter);
                codes[i] = v5 ? ReasonCodes.QUOTA_EXCEEDED : failure;
                continue;
            }
            int retainHandling = v5 ? opt.retainHandling().value() : 0;
            Subscription sub = new Subscription(clientId, filter, qos, v5 && opt.isNoLocal(),
                    v5 && opt.isRetainAsPublished(), retainHandling, subscriptionId, r.deliveryFilter().orElse(null));
            boolean existed = core.router().subscribe(session, sub);
            // Retained messages are never sent for a shared subscription (MQTT 5.0 §4.8.2). They are
            // attached to the session before the SUBACK goes out and sent ahead of its queue, so nothing
            // published after the SUBACK can overtake them; they drain after the caller wrote the SUBACK.
            if (!isShared && (retainHandling == 0 || (retainHandling == 1 && !existed))) {
                core.router().deliverRetained(session, sub);
            }
            codes[i] = qos;
        }
        return codes;
    }

    /** UNSUBACK codes: success, or (MQTT 5) "no subscription existed". */
    short[] unsubscribe(Session session, List<String> filters) {
        short[] codes = new short[filters.size()];
        for (int i = 0; i < filters.size(); i++) {
            codes[i] = (short) (core.router().unsubscribe(session, filters.get(i)) ? ReasonCodes.SUCCESS
                    : ReasonCodes.NO_SUBSCRIPTION_EXISTED);
        }
        return codes;
    }

    /** New permissions may revoke subscriptions or change which topics they may receive. */
    void recheck(Session session, PermissionGuard guard) {
        for (Subscription sub : session.subscriptions()) {
            String matching = SharedFilter.parse(sub.filter()).map(SharedFilter::filter).orElse(sub.filter());
            SubscribeResult r = guard.recheck(matching, sub.qos());
            if (!r.allowed()) {
                core.router().unsubscribe(session, sub.filter());
                log.info("client {} lost subscription {} after re-authentication: {}", session.clientId(),
                        sub.filter(), r.access().describe());
            } else {
                core.router().subscribe(session, sub.withDeliveryFilter(r.deliveryFilter().orElse(null)));
            }
        }
    }
}
