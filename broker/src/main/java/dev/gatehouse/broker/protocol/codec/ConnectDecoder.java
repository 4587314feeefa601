package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * CONNECT (MQTT 5 §3.1, MQTT 3.1.1 §3.1, MQTT 3.1 "MQIsdp"). Read in two steps so that the caller
 * can record the protocol version on the channel before the rest is checked: a refusal of a malformed
 * CONNECT must still be written in the client's format.
 */
final class ConnectDecoder {
    private ConnectDecoder() {
    }

    /** Protocol Name and Level (§3.1.2.1-2); an unknown pair is refused as an unacceptable version. */
    static MqttVersion readProtocol(Frame f) {
        String name = f.readUtf8("protocol name");
        int level = f.readByte("protocol level");
        if ("MQTT".equals(name) && level == 4) {
            return MqttVersion.MQTT_3_1_1;
        }
        if ("MQTT".equals(name) && level == 5) {
            return MqttVersion.MQTT_5;
        }
        if ("MQIsdp".equals(name) && level == 3) {
            return MqttVersion.MQTT_3_1;
        }
        throw new MqttUnacceptableProtocolVersionException("protocol " + name + " level " + level);
    }

    /** Everything after the protocol level, in the version {@link #readProtocol} returned. */
    static MqttConnectMessage readRest(Frame f, MqttFixedHeader fixed, MqttVersion version, int maxClientIdLength) {
        boolean v5 = version == MqttVersion.MQTT_5;
        boolean v31 = version == MqttVersion.MQTT_3_1;
        int flags = f.readByte("connect flags");
        boolean username = (flags & 0x80) != 0;
        boolean password = (flags & 0x40) != 0;
        boolean willRetain = (flags & 0x20) != 0;
        int willQos = (flags >> 3) & 0x03;
        boolean will = (flags & 0x04) != 0;
        boolean clean = (flags & 0x02) != 0;
        if (!v31 && (flags & 0x01) != 0) {
            throw malformed("reserved CONNECT flag set [MQTT-3.1.2-3]");
        }
        if (will && willQos == 3) {
            throw malformed("will QoS 3 (§3.1.2.6)");
        }
        if (!will && (willQos != 0 || willRetain)) {
            throw malformed("will QoS or will retain without the will flag [MQTT-3.1.2-11], [MQTT-3.1.2-13]");
        }
        if (!v5 && password && !username) {
            // MQTT 3.1.1 [MQTT-3.1.2-22]; MQTT 5 §3.1.2.9 allows a password alone.
            throw malformed("password flag without user name flag [MQTT-3.1.2-22]");
        }
        int keepAlive = f.readUnsignedShort("keep alive");
        MqttProperties props = v5 ? PropertyReader.read(f, PropertyRules.CONNECT) : MqttProperties.NO_PROPERTIES;

        String clientId = f.readUtf8("client identifier");
        // The configured limit applies to every version; MQTT 3.1 also requires at least one character.
        if (clientId.length() > maxClientIdLength || (v31 && clientId.isEmpty())) {
            throw new MqttIdentifierRejectedException("client identifier of " + clientId.length() + " characters");
        }
        MqttProperties willProps = MqttProperties.NO_PROPERTIES;
        String willTopic = null;
        byte[] willMessage = null;
        if (will) {
            if (v5) {
                willProps = PropertyReader.read(f, PropertyRules.WILL);
            }
            willTopic = f.readUtf8("will topic");
            willMessage = f.readBinary("will payload");
        }
        String user = username ? f.readUtf8("user name") : null;
        byte[] pass = password ? f.readBinary("password") : null;
        // A field present without its flag ([MQTT-3.1.2-16], [MQTT-3.1.2-18]) is left over here.
        f.expectEnd("CONNECT");
        return new MqttConnectMessage(fixed,
                new MqttConnectVariableHeader(version.protocolName(), version.protocolLevel(), username, password,
                        willRetain, willQos, will, clean, keepAlive, props),
                new MqttConnectPayload(clientId, willProps, willTopic, willMessage, user, pass));
    }
}
