package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.session.Will;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Validates a CONNECT beyond what the decoder checks (the packet's shape, flags and properties) and
 * applies the broker's limits to it.
 * Pure: no I/O, so every rule is visible in one place.
 */
final class ConnectParser {

    /** The outcome: a request to authenticate, or a refusal. */
    sealed interface Result {
    }

    record Valid(ConnectRequest request) implements Result {
    }

    /**
     * Refused before authentication. {@code reason} is set for refusals that are an identity problem
     * (reported as an authentication failure); protocol violations carry their own codes.
     */
    record Refused(MqttVersion version, int v3Code, int v5Code, Optional<FailureReason> reason, String why)
            implements Result {
        int code() {
            return version.isV5() ? v5Code : v3Code;
        }
    }

    private final Limits limits;
    private final Clock clock;

    ConnectParser(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    Result parse(MqttConnectMessage c) {
        MqttConnectVariableHeader h = c.variableHeader();
        MqttConnectPayload p = c.payload();
        MqttVersion version = switch (h.version()) {
            case 3 -> MqttVersion.V3_1;
            case 5 -> MqttVersion.V5;
            default -> MqttVersion.V3_1_1;
        };
        boolean v5 = version.isV5();
        MqttProperties props = v5 ? h.properties() : MqttProperties.NO_PROPERTIES;
        boolean cleanStart = h.isCleanSession();
        if (h.isWillFlag() && h.willQos() > 2) {
            return protocolViolation(version, ReasonCodes.MALFORMED_PACKET, "will QoS 3");
        }
        if (!v5 && h.hasPassword() && !h.hasUserName()) {
            return protocolViolation(version, ReasonCodes.PROTOCOL_ERROR, "MQTT 3.1.1 password without user name");
        }
        String clientId = p.clientIdentifier() == null ? "" : p.clientIdentifier();
        if (clientId.length() > limits.maxClientIdLength()) {
            return identity(version, "client id longer than " + limits.maxClientIdLength());
        }
        boolean assigned = false;
        if (clientId.isEmpty()) {
            if (!v5 && !cleanStart) {
                return identity(version, "empty client id requires clean session");
            }
            // The limit is for ids clients choose; ours is never refused by it.
            clientId = "gh-" + UUID.randomUUID();
            assigned = true;
        }
        int receiveMaximum = Props.integer(props, MqttPropertyType.RECEIVE_MAXIMUM).orElse(65535);
        long maxPacketSize = Integer.toUnsignedLong(Props.integer(props, MqttPropertyType.MAXIMUM_PACKET_SIZE).orElse(-1));
        if (receiveMaximum == 0 || maxPacketSize == 0) {
            return protocolViolation(version, ReasonCodes.PROTOCOL_ERROR, "receive maximum / maximum packet size of 0");
        }
        long requestedExpiry = v5
                ? Integer.toUnsignedLong(Props.integer(props, MqttPropertyType.SESSION_EXPIRY_INTERVAL).orElse(0))
                : cleanStart ? 0 : Session.NEVER_EXPIRES;
        long sessionExpiry = Math.min(requestedExpiry, limits.maxSessionExpiry().toSeconds());

        int keepAlive = h.keepAliveTimeSeconds();
        // MQTT 3 clients cannot be told another keep-alive: outside the bounds they are refused, and
        // only MQTT 5 ones get the server's keep-alive or the nearest bound.
        if (!v5 && !limits.keepAliveAllowed(keepAlive)) {
            return identity(version, "keep-alive " + keepAlive + " s outside " + limits.minKeepAlive() + ".."
                    + limits.maxKeepAlive() + " s");
        }
        int granted = keepAlive;
        if (v5) {
            granted = limits.serverKeepAlive().orElse(keepAlive);
            if (!limits.keepAliveAllowed(granted)) {
                granted = granted != 0 && granted < limits.minKeepAlive() ? limits.minKeepAlive() : limits.maxKeepAlive();
            }
        }
        Optional<Will> will = Optional.empty();
        if (h.isWillFlag()) {
            if (!TopicFilters.isValidTopicName(p.willTopic())) {
                return protocolViolation(version, ReasonCodes.TOPIC_NAME_INVALID, "invalid will topic");
            }
            will = Optional.of(willOf(version, h, p, clientId));
        }
        return new Valid(new ConnectRequest(version, clientId, assigned,
                Optional.ofNullable(h.hasUserName() ? p.userName() : null),
                Optional.ofNullable(h.hasPassword() ? p.passwordInBytes() : null), cleanStart, sessionExpiry,
                requestedExpiry, granted, granted != keepAlive, receiveMaximum, maxPacketSize,
                v5 ? Props.integer(props, MqttPropertyType.TOPIC_ALIAS_MAXIMUM).orElse(0) : 0,
                Props.integer(props, MqttPropertyType.REQUEST_PROBLEM_INFORMATION).orElse(1) != 0,
                Props.string(props, MqttPropertyType.AUTHENTICATION_METHOD),
                Props.binary(props, MqttPropertyType.AUTHENTICATION_DATA),
                v5 ? Props.userProperties(props) : List.of(), will));
    }

    private Will willOf(MqttVersion version, MqttConnectVariableHeader h, MqttConnectPayload p, String clientId) {
        MqttProperties wp = version.isV5() ? p.willProperties() : MqttProperties.NO_PROPERTIES;
        long expiresAt = Props.integer(wp, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL)
                .map(s -> clock.millis() + Integer.toUnsignedLong(s) * 1000).orElse(Message.NO_EXPIRY);
        long delay = Integer.toUnsignedLong(Props.integer(wp, MqttPropertyType.WILL_DELAY_INTERVAL).orElse(0));
        byte[] payload = p.willMessageInBytes() == null ? new byte[0] : p.willMessageInBytes();
        MessageProperties mp = version.isV5() ? Props.messageProperties(wp) : MessageProperties.NONE;
        return new Will(new Message(p.willTopic(), payload, h.willQos(), h.isWillRetain(), mp, expiresAt, clientId),
                delay);
    }

    private static Refused identity(MqttVersion version, String why) {
        FailureReason r = FailureReason.CLIENT_IDENTIFIER_NOT_VALID;
        return new Refused(version, r.v3ReturnCode(), r.v5ReasonCode(), Optional.of(r), why);
    }

    private static Refused protocolViolation(MqttVersion version, int v5Code, String why) {
        return new Refused(version, FailureReason.PROTOCOL_ERROR.v3ReturnCode(), v5Code, Optional.empty(), why);
    }
}
