package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.UserProperty;
import dev.gatehouse.broker.message.MessageProperties;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading and writing MQTT 5 properties without repeating Netty's casts everywhere. */
final class Props {
    private Props() {
    }

    static Optional<Integer> integer(MqttProperties p, MqttPropertyType type) {
        if (p == null) {
            return Optional.empty();
        }
        MqttProperties.MqttProperty<?> prop = p.getProperty(type.value());
        return prop == null ? Optional.empty() : Optional.of((Integer) prop.value());
    }

    static Optional<String> string(MqttProperties p, MqttPropertyType type) {
        if (p == null) {
            return Optional.empty();
        }
        MqttProperties.MqttProperty<?> prop = p.getProperty(type.value());
        return prop == null ? Optional.empty() : Optional.of((String) prop.value());
    }

    static Optional<byte[]> binary(MqttProperties p, MqttPropertyType type) {
        if (p == null) {
            return Optional.empty();
        }
        MqttProperties.MqttProperty<?> prop = p.getProperty(type.value());
        return prop == null ? Optional.empty() : Optional.of((byte[]) prop.value());
    }

    /** Every Subscription Identifier property (a PUBLISH may carry several). */
    static List<Integer> integers(MqttProperties p, MqttPropertyType type) {
        List<Integer> out = new ArrayList<>();
        if (p != null) {
            for (MqttProperties.MqttProperty<?> prop : p.getProperties(type.value())) {
                out.add((Integer) prop.value());
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<UserProperty> userProperties(MqttProperties p) {
        if (p == null) {
            return List.of();
        }
        List<UserProperty> out = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> prop : p.getProperties(MqttPropertyType.USER_PROPERTY.value())) {
            Object v = prop.value();
            if (v instanceof List<?> list) {
                for (StringPair pair : (List<StringPair>) list) {
                    out.add(new UserProperty(pair.key, pair.value));
                }
            } else if (v instanceof StringPair pair) {
                out.add(new UserProperty(pair.key, pair.value));
            }
        }
        return out;
    }

    /** The pass-through properties of an inbound PUBLISH (or a will). */
    static MessageProperties messageProperties(MqttProperties p) {
        if (p == null || p.isEmpty()) {
            return MessageProperties.NONE;
        }
        boolean utf8 = integer(p, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR).orElse(0) == 1;
        return new MessageProperties(utf8, string(p, MqttPropertyType.CONTENT_TYPE),
                string(p, MqttPropertyType.RESPONSE_TOPIC), binary(p, MqttPropertyType.CORRELATION_DATA),
                userProperties(p));
    }

    static void addInt(MqttProperties p, MqttPropertyType type, int v) {
        p.add(new IntegerProperty(type.value(), v));
    }

    static void addString(MqttProperties p, MqttPropertyType type, String v) {
        p.add(new StringProperty(type.value(), v));
    }

    static void addBinary(MqttProperties p, MqttPropertyType type, byte[] v) {
        p.add(new BinaryProperty(type.value(), v));
    }

    static void addUserProperties(MqttProperties p, List<UserProperty> props) {
        if (props.isEmpty()) {
            return;
        }
        UserProperties up = new UserProperties();
        for (UserProperty u : props) {
            up.add(u.name(), u.value());
        }
        p.add(up);
    }

    /** Properties holding just a reason string, or none. */
    static MqttProperties reasonString(String text) {
        if (text == null) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        addString(p, MqttPropertyType.REASON_STRING, text);
        return p;
    }
}
